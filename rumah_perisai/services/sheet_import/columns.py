"""Which column of a list is which: guessed from headers and contents, corrected by a person,
remembered for the next file with the same headers.

Headers are compared as words without case, spaces or marks (``No. KTP`` is ``noktp``), in
Indonesian and English with the abbreviations lists use (``Tgl Lhr``, ``JK``, ``L/P``, ``No HP``).
A column no header names is guessed from its first values (sixteen digits: a NIK; L and P: the
sex; 08…: a phone; dates: the birth date). The remembered mappings are a file in the data
folder holding headers and field names only — never a cell of the list.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from rumah_perisai.config import DataFolder
from rumah_perisai.errors import UserError
from rumah_perisai.files import read_input_file
from rumah_perisai.i18n import N_, tr
from rumah_perisai.services.sheet_import.reading import Sheet

log = logging.getLogger(__name__)

FIELDS: tuple[str, ...] = (
    "nik", "name", "birth_date", "sex", "desa", "kecamatan", "birth_place", "ttl", "street",
    "rt", "rw", "rt_rw", "phone", "occupation", "income", "with_jht", "heir_name",
    "heir_relation", "volunteer", "registered_on",
)  # fmt: skip
REQUIRED: tuple[str, ...] = ("nik", "name", "birth_date", "sex", "desa")
# The fields a column may stand for instead (``ttl``: "Tempat, tanggal lahir" gives both).
_GIVES = {"ttl": ("birth_place", "birth_date"), "rt_rw": ("rt", "rw")}

_LABELS = {
    "nik": N_("NIK"),
    "name": N_("Name"),
    "birth_date": N_("Birth date"),
    "sex": N_("Sex (L/P)"),
    "desa": N_("Desa (name or code)"),
    "kecamatan": N_("Kecamatan"),
    "birth_place": N_("Birth place"),
    "ttl": N_("Birth place and date"),
    "street": N_("Address"),
    "rt": N_("RT"),
    "rw": N_("RW"),
    "rt_rw": N_("RT/RW"),
    "phone": N_("Phone"),
    "occupation": N_("Occupation"),
    "income": N_("Income"),
    "with_jht": N_("JHT (yes/no)"),
    "heir_name": N_("Heir's name"),
    "heir_relation": N_("Heir's relation"),
    "volunteer": N_("Volunteer"),
    "registered_on": N_("Registration date"),
}

# Headers, as ``_key`` makes them. The import's own result columns are known and left out.
_HEADERS: dict[str, tuple[str, ...]] = {
    "nik": ("nik", "noktp", "nomorktp", "ktp", "nikktp", "nonik", "nomornik", "noinduk",
            "nomorinduk", "nomorindukkependudukan", "nikpeserta", "idnumber", "nationalid",
            "idcard", "noidentitas", "nomoridentitas"),
    "name": ("nama", "namalengkap", "namapeserta", "name", "fullname", "nm", "namasesuaiktp",
             "namaktp", "namatenagakerja", "participant", "participantname"),
    "birth_date": ("tgllahir", "tanggallahir", "tgllhr", "tgllah", "tanggallhr", "birthdate",
                   "dateofbirth", "dob", "tgl lahir", "lahirtanggal", "tgllahirddmmyyyy"),
    "sex": ("jeniskelamin", "jk", "lp", "kelamin", "sex", "gender", "jnskelamin", "jenkel",
            "jnskel", "jkel", "lk"),
    "desa": ("desa", "kelurahan", "desakelurahan", "kelurahandesa", "desakel", "keldesa",
             "namadesa", "kodedesa", "village", "kodewilayah", "kel"),
    "kecamatan": ("kecamatan", "kec", "district", "subdistrict", "namakecamatan"),
    "birth_place": ("tempatlahir", "tmptlahir", "tmplahir", "tptlahir", "placeofbirth",
                    "birthplace", "kotalahir"),
    "ttl": ("ttl", "tempattanggallahir", "tempattgllahir", "tempatdantanggallahir"),
    "street": ("alamat", "address", "jalan", "alamatlengkap", "alamatrumah", "dusun",
               "kampung", "alamatktp", "street"),
    "rt": ("rt",),
    "rw": ("rw",),
    "rt_rw": ("rtrw",),
    "phone": ("nohp", "hp", "telepon", "telp", "notelp", "notelepon", "nomorhp", "phone",
              "nowa", "wa", "whatsapp", "handphone", "nomortelepon", "mobile", "nohpwa",
              "phonenumber", "telephone", "nomorwa"),
    "occupation": ("pekerjaan", "profesi", "occupation", "job", "jenispekerjaan", "usaha",
                   "jenisusaha", "mataPencaharian".casefold()),
    "income": ("penghasilan", "pendapatan", "income", "penghasilanbulanan", "upah",
               "penghasilanperbulan"),
    "with_jht": ("jht", "programjht", "ikutjht", "ikutsertajht"),
    "heir_name": ("ahliwaris", "namaahliwaris", "heir", "waris", "heirname"),
    "heir_relation": ("hubungan", "hubunganahliwaris", "hubunganwaris", "relation",
                      "heirrelation", "hubungankeluarga"),
    "volunteer": ("petugas", "relawan", "volunteer", "agen", "perekrut", "didaftarkanoleh",
                  "pendaftar", "kader", "namapetugas", "namarelawan", "pj"),
    "registered_on": ("tgldaftar", "tanggaldaftar", "tanggalpendaftaran", "tglregistrasi",
                      "tanggalregistrasi", "registeredon", "registrationdate", "tgldaftarkan",
                      "tglpendaftaran", "terdaftar", "tanggalterdaftar", "tgl daftar"),
}  # fmt: skip
# Row numbers and this import's own result columns: never a field.
_IGNORED = {"no", "nomor", "nourut", "urut", "statusimpor", "alasan", "status"}
_BY_HEADER = {_h.replace(" ", ""): field for field, heads in _HEADERS.items() for _h in heads}

MAPPINGS_FILE = "import-mappings.json"
MAPPING_LIMIT = 1 << 20  # a mapping names a few dozen columns
_KEPT_MAPPINGS = 50


def field_label(field: str) -> str:
    return tr(_LABELS[field])


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def header_field(header: str) -> str | None:
    """The field a header names, if it names one: the whole header, never its start — "Nama Ibu
    Kandung" or "Nama Kelompok" is not the participant's name, "NIK Ahli Waris" not their NIK. A
    note in brackets is left out ("Tgl Lahir (dd-mm-yyyy)"), and so are marks ("NIK *")."""
    key = _key(re.sub(r"[(\[{].*?[)\]}]", " ", header))
    if not key or key in _IGNORED:
        return None
    return _BY_HEADER.get(key)


@dataclass(frozen=True)
class Mapping:
    """The field each column of the sheet stands for (None: not used)."""

    columns: tuple[str | None, ...]

    def column_of(self, field: str) -> int | None:
        for index, name in enumerate(self.columns):
            if name == field:
                return index
        return None

    def given(self) -> set[str]:
        fields = {f for f in self.columns if f is not None}
        for combined, parts in _GIVES.items():
            if combined in fields:
                fields.update(parts)
        return fields

    def missing(self) -> list[str]:
        """The required fields no column stands for."""
        given = self.given()
        return [field for field in REQUIRED if field not in given]

    def twice(self) -> list[str]:
        """Fields two columns stand for (a person chose one twice)."""
        named = [f for f in self.columns if f is not None]
        return sorted({f for f in named if named.count(f) > 1})

    def as_json(self, headers: Sequence[str]) -> dict[str, str]:
        return {headers[i] or _letter(i): f for i, f in enumerate(self.columns) if f is not None}


def _letter(index: int) -> str:
    """The spreadsheet's letter of column ``index`` (0-based): A, B, … AA."""
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def guess_mapping(sheet: Sheet) -> Mapping:
    """Headers first; then columns no header names, by their first values."""
    chosen: list[str | None] = []
    taken: set[str] = set()
    for header in sheet.headers:
        field = header_field(header)
        if field is not None and field in taken:
            field = None
        if field is not None:
            taken.add(field)
        chosen.append(field)
    for index, field in enumerate(chosen):
        if field is not None or _key(sheet.headers[index]) in _IGNORED and sheet.headers[index]:
            continue
        values = [sheet.value(row, index) for row in sheet.rows[:50]]
        guessed = _by_contents([v for v in values if v is not None and str(v).strip()])
        if guessed is not None and guessed not in taken:
            chosen[index] = guessed
            taken.add(guessed)
    return Mapping(tuple(chosen))


_SEX_WORDS = {"l", "p", "lk", "pr", "lakilaki", "perempuan", "pria", "wanita", "m", "f"}


def _by_contents(values: list[Any]) -> str | None:
    if len(values) < 2:
        return None

    def share(test: Any) -> float:
        return sum(1 for v in values if test(v)) / len(values)

    if share(lambda v: re.fullmatch(r"[0-9]{16}", re.sub(r"\s", "", str(v))) is not None) > 0.6:
        return "nik"
    if share(lambda v: _key(str(v)) in _SEX_WORDS) > 0.8:
        return "sex"
    if (
        share(lambda v: re.fullmatch(r"(\+?62|0)?8[0-9 \-]{8,14}", str(v).strip()) is not None)
        > 0.7
    ):
        return "phone"
    if share(lambda v: isinstance(v, date | datetime)) > 0.7:
        return "birth_date"
    return None


# --- remembered mappings -------------------------------------------------------------------------


def _signature(headers: Iterable[str]) -> str:
    joined = "\x1f".join(_key(h) for h in headers)
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def _mappings_path(folder: DataFolder) -> Path:
    return folder.root / MAPPINGS_FILE


def _load(folder: DataFolder) -> dict[str, list[str | None]]:
    try:
        stored = json.loads(_mappings_path(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or damaged: a guess is made as for a new file
    return stored if isinstance(stored, dict) else {}


def remembered_mapping(folder: DataFolder, sheet: Sheet) -> Mapping | None:
    """The mapping a person confirmed for a file with these same headers, if any."""
    columns = _load(folder).get(_signature(sheet.headers))
    if not isinstance(columns, list) or len(columns) != len(sheet.headers):
        return None
    if not all(c is None or c in FIELDS for c in columns):
        return None
    return Mapping(tuple(columns))


def remember_mapping(folder: DataFolder, sheet: Sheet, mapping: Mapping) -> None:
    """Keep ``mapping`` for the next file with these headers (newest first, a few dozen kept).
    A folder that cannot be written only means the next file is guessed again."""
    from rumah_perisai.exchange.safe_write import write_file

    stored = _load(folder)
    signature = _signature(sheet.headers)
    stored.pop(signature, None)
    kept = {signature: list(mapping.columns), **dict(list(stored.items())[: _KEPT_MAPPINGS - 1])}
    data = json.dumps(kept, ensure_ascii=False, indent=1).encode()
    try:
        write_file(folder.root, MAPPINGS_FILE, data, computer=True)
    except (OSError, UserError) as error:
        log.warning("import mapping not kept: %s", type(error).__name__)


def mapping_from_file(path: Path, sheet: Sheet) -> Mapping:
    """A mapping a person wrote (``--mapping FILE``): JSON of header (or column letter) to
    field, e.g. ``{"No KTP": "nik", "C": "name"}``; columns it does not name are unused."""
    try:
        given = json.loads(read_input_file(path, MAPPING_LIMIT).decode("utf-8"))
    except ValueError as error:  # not UTF-8, or not JSON
        raise UserError("mapping_not_json", path=str(path)) from error
    if not isinstance(given, dict):
        raise UserError("mapping_not_json", path=str(path))
    columns: list[str | None] = [None] * len(sheet.headers)
    keys = [_key(h) for h in sheet.headers]
    for name, field in given.items():
        if field not in FIELDS:
            raise UserError("mapping_bad_field", field=str(field)[:40], fields=", ".join(FIELDS))
        index = _find_column(str(name), keys, len(columns))
        if index is None:
            raise UserError("mapping_bad_column", column=str(name)[:60])
        columns[index] = field
    return Mapping(tuple(columns))


def _find_column(name: str, keys: list[str], width: int) -> int | None:
    if _key(name) in keys:
        return keys.index(_key(name))
    if re.fullmatch(r"[A-Z]{1,3}", name.strip()):
        for index in range(width):
            if _letter(index) == name.strip():
                return index
    return None
