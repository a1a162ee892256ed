"""Messages in the user's language: Bahasa Indonesia by default, English as the second.

One catalogue serves the command line, the windows and printed documents. A test checks that
both languages have every message and the same ``{placeholders}``.
"""

from __future__ import annotations

from typing import Any

_language = "id"

CATALOG: dict[str, dict[str, str]] = {
    # --- command line and start-up -------------------------------------------------------------
    "data_dir_unwritable": {
        "id": "Folder data {path} tidak bisa ditulis: {reason}.",
        "en": "The data folder {path} cannot be written: {reason}.",
    },
    "unknown_language": {
        "id": "Bahasa {language} tidak dikenal; pilih salah satu: {choices}.",
        "en": "Unknown language {language}; choose one of: {choices}.",
    },
    "internal_error": {
        "id": "Terjadi kesalahan program. Rinciannya dicatat di {log}.",
        "en": "The program hit an internal error. Details were logged to {log}.",
    },
    "usage_error": {
        "id": "Perintah salah: {detail}",
        "en": "Wrong usage: {detail}",
    },
    "interrupted": {
        "id": "Dihentikan.",
        "en": "Interrupted.",
    },
    # --- database ------------------------------------------------------------------------------
    "db_url_invalid": {
        "id": "Alamat database {url} tidak valid: {reason}.",
        "en": "The database address {url} is not valid: {reason}.",
    },
    "db_unreachable": {
        "id": "Database {url} tidak bisa dibuka: {reason}.",
        "en": "The database {url} cannot be opened: {reason}.",
    },
    "db_corrupt": {
        "id": "File database {path} rusak atau bukan database Rumah Perisai.",
        "en": "The database file {path} is damaged or is not a Rumah Perisai database.",
    },
    "db_foreign": {
        "id": "Database {url} berisi tabel lain dan bukan database Rumah Perisai; tidak diubah.",
        "en": "The database {url} holds other tables and is not a Rumah Perisai database; left unchanged.",
    },
    "db_newer": {
        "id": "Database ini dibuat oleh versi Rumah Perisai yang lebih baru (revisi {revision}). "
        "Pasang versi terbaru program; database tidak diubah.",
        "en": "This database was made by a newer version of Rumah Perisai (revision {revision}). "
        "Install the newest program; the database was not changed.",
    },
    "db_busy": {
        "id": "Database sedang dipakai program lain; coba lagi sebentar.",
        "en": "The database is in use by another program; try again in a moment.",
    },
    "clock_behind": {
        "id": "Jam komputer ({now}) lebih awal dari catatan terbaru ({newest}). "
        "Betulkan tanggal dan jam komputer dulu; tidak ada yang dicatat.",
        "en": "The computer's clock ({now}) is earlier than the newest record ({newest}). "
        "Correct the date and time first; nothing was recorded.",
    },
    # --- set-up --------------------------------------------------------------------------------
    "post_exists": {
        "id": "Folder data ini sudah berisi pos {code} ({name}); tidak ditimpa.",
        "en": "This data folder already holds post {code} ({name}); it was not overwritten.",
    },
    "no_post": {
        "id": "Belum ada pos di folder data ini. Jalankan dulu: rumah-perisai init ...",
        "en": "There is no post in this data folder yet. Run first: rumah-perisai init ...",
    },
    "bad_post_code": {
        "id": "Kode pos Perisai {code} tidak valid: pakai 3–12 huruf besar atau angka.",
        "en": "Post code {code} is not valid: use 3–12 capital letters or digits.",
    },
    "bad_post_name": {
        "id": "Nama pos tidak boleh kosong (maksimal 100 huruf).",
        "en": "The post name must not be empty (at most 100 characters).",
    },
    "unknown_kabupaten": {
        "id": "Kode kabupaten/kota {code} tidak dikenal (contoh: 32.09 untuk Kabupaten Cirebon).",
        "en": "Unknown kabupaten/kota code {code} (for example 32.09 for Kabupaten Cirebon).",
    },
    "unknown_timezone": {
        "id": "Zona waktu {tz} tidak dikenal; pilih WIB, WITA atau WIT.",
        "en": "Unknown time zone {tz}; choose WIB, WITA or WIT.",
    },
    "key_exists": {
        "id": "Kunci tanda tangan pos sudah ada di {path}; tidak ditimpa.",
        "en": "A post signing key already exists at {path}; it was not overwritten.",
    },
    "key_unreadable": {
        "id": "Kunci tanda tangan pos {path} tidak bisa dibaca: {reason}.",
        "en": "The post signing key {path} cannot be read: {reason}.",
    },
    "bad_volunteer_name": {
        "id": "Nama relawan tidak boleh kosong (maksimal 100 huruf).",
        "en": "The volunteer's name must not be empty (at most 100 characters).",
    },
    "bad_pin": {
        "id": "PIN harus 4–8 angka dan tidak boleh satu angka yang diulang (mis. 1111).",
        "en": "The PIN must be 4–8 digits and not one digit repeated (e.g. 1111).",
    },
    "pin_prompt": {"id": "PIN untuk {name}: ", "en": "PIN for {name}: "},
    "pin_again": {"id": "Ulangi PIN: ", "en": "PIN again: "},
    "pin_mismatch": {
        "id": "Kedua PIN tidak sama; tidak ada yang dibuat.",
        "en": "The two PINs differ; nothing was created.",
    },
    "pin_missing": {
        "id": "PIN koordinator tidak diberikan (ketik di terminal, atau kirim satu baris lewat stdin).",
        "en": "No coordinator PIN given (type it at the terminal, or send one line on stdin).",
    },
    "cli_coordinator": {
        "id": "buat akun koordinator pertama dengan nama ini; PIN ditanyakan di terminal "
        "(atau dibaca dari stdin)",
        "en": "create the first coordinator account with this name; the PIN is asked at the "
        "terminal (or read from stdin)",
    },
    "init_done": {
        "id": "Pos {code} ({name}) siap. Sidik jari kunci pos: {fingerprint}",
        "en": "Post {code} ({name}) is ready. Post key fingerprint: {fingerprint}",
    },
    "language_set": {
        "id": "Bahasa diatur ke {language}.",
        "en": "Language set to {language}.",
    },
    "no_area_match": {
        "id": "Tidak ada wilayah yang cocok dengan {query}.",
        "en": "No area matches {query}.",
    },
    # --- command-line help --------------------------------------------------------------------
    "cli_description": {
        "id": "Rumah Perisai: pendaftaran peserta BPU, kartu, iuran dan batch mingguan. "
        "Tanpa PERINTAH, jendela program dibuka.",
        "en": "Rumah Perisai: BPU registration, cards, dues and weekly batches. "
        "Without a COMMAND the program's window opens.",
    },
    "cli_data_dir": {
        "id": "folder data (database, kunci, cadangan, log); bawaan: $RUMAH_PERISAI_HOME "
        "atau folder data pengguna",
        "en": "data folder (database, keys, backups, logs); default: $RUMAH_PERISAI_HOME "
        "or the user data folder",
    },
    "cli_db": {
        "id": "alamat database lain (mis. postgresql+psycopg://...); bawaan: $RUMAH_PERISAI_DB "
        "atau SQLite di folder data",
        "en": "another database URL (e.g. postgresql+psycopg://...); default: $RUMAH_PERISAI_DB "
        "or SQLite in the data folder",
    },
    "cli_demo": {
        "id": "pakai pos contoh di foldernya sendiri",
        "en": "use a demo post in its own folder",
    },
    "cli_init": {
        "id": "siapkan pos baru di folder data",
        "en": "set up a new post in the data folder",
    },
    "cli_info": {
        "id": "tampilkan pos, database dan versi",
        "en": "show the post, database and version",
    },
    "cli_areas": {
        "id": "cari kode wilayah Kemendagri (kabupaten atau desa)",
        "en": "look up Kemendagri area codes (kabupaten or desa)",
    },
    "cli_nik": {"id": "periksa sebuah NIK", "en": "check a NIK"},
    "cli_settings": {"id": "lihat atau ubah pengaturan", "en": "show or change settings"},
    "cli_language": {"id": "bahasa pesan: id atau en", "en": "message language: id or en"},
    "cli_kabupaten": {
        "id": "kode kabupaten/kota, mis. 32.09 (cari dengan: rumah-perisai areas kabupaten NAMA)",
        "en": "kabupaten/kota code, e.g. 32.09 (find it with: rumah-perisai areas kabupaten NAME)",
    },
    "cli_json": {"id": "keluaran JSON ke stdout", "en": "JSON output on stdout"},
    # --- the window ----------------------------------------------------------------------------
    "app_title": {"id": "Rumah Perisai", "en": "Rumah Perisai"},
    "app_demo_suffix": {"id": "CONTOH — pos latihan", "en": "DEMO — training post"},
    "window_no_post": {
        "id": "Folder data ini belum berisi pos.\n\nSiapkan pos dengan perintah:\n"
        'rumah-perisai --data-dir "{folder}" init --post-code KODE --post-name NAMA --kabupaten KODE',
        "en": "This data folder holds no post yet.\n\nSet one up with:\n"
        'rumah-perisai --data-dir "{folder}" init --post-code CODE --post-name NAME --kabupaten CODE',
    },
    "window_post": {
        "id": "Pos {code} — {name}\n{kabupaten} · zona waktu {tz}\n{participants} peserta terdaftar",
        "en": "Post {code} — {name}\n{kabupaten} · time zone {tz}\n{participants} registered participants",
    },
    "error_title": {"id": "Tidak bisa dilanjutkan", "en": "Cannot continue"},
    "crash_title": {"id": "Kesalahan program", "en": "Program error"},
}


def set_language(language: str) -> None:
    global _language
    _language = language if language in ("id", "en") else "id"


def language() -> str:
    return _language


def tr(key: str, **params: Any) -> str:
    """The message ``key`` in the current language, with ``params`` filled in."""
    entry = CATALOG.get(key)
    if entry is None:
        # A missing key is a bug, but showing the key beats crashing while reporting an error.
        return key if not params else f"{key}: {params}"
    text = entry.get(_language) or entry["id"]
    return text.format(**params) if params else text
