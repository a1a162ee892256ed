"""Make the golden batch files in this folder (``docs/batch-format.md``, "Golden files").

Run this only when the batch format changes on purpose, after raising ``VERSION`` in
``rumah_perisai/exchange/batchfile.py`` (or the key file version in ``keys/files.py``)::

    .venv/bin/python tests/data/batch/make_golden.py            # write the files
    .venv/bin/python tests/data/batch/make_golden.py --check    # only say whether they are current

Everything here is fixed: the keys come from fixed seeds, the batch's "fresh" X25519 key is fixed
(``seal(..., ephemeral=)``), Ed25519 signatures and AES-GCM are deterministic, and zlib gives the
same bytes for the same input and level. So the output is the same byte for byte on every run,
and ``tests/test_batch_golden.py`` checks that the current code still writes exactly it.

The records are made up: no real person, NIK or phone number.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from rumah_perisai.exchange.batchfile import HEADER, PlainPart, open_batch, seal
from rumah_perisai.keys.files import (
    BranchPublicKey,
    PostPublicKey,
    branch_key_file,
    post_key_file,
)

HERE = Path(__file__).resolve().parent

POST_KEY_PEM = "post-signing-ed25519.pem"
BRANCH_ENCRYPTION_PEM = "branch-encryption-x25519.pem"
BRANCH_SIGNING_PEM = "branch-signing-ed25519.pem"
EPHEMERAL_PEM = "batch-ephemeral-x25519.pem"
POST_KEY_FILE = "golden-post-key.json"
BRANCH_KEY_FILE = "golden-branch-key.json"
BATCH_FILE = "golden-0001.rpb"
MANIFEST_FILE = "golden-0001-manifest.json"
PARTS_DIR = "golden-0001-parts"

# The fields ``seal`` fills in itself; the rest of the manifest is the post's (``export_batch``).
SEALED_FIELDS = ("format", "version", "parts", "compression", "encryption")
SEALED_POST_FIELDS = ("signing_key", "key_fingerprint")


def _seed(label: str) -> bytes:
    return hashlib.sha256(f"rumah-perisai golden batch: {label}".encode()).digest()


def post_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_seed("post signing key"))


def branch_encryption_key() -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(_seed("branch encryption key"))


def branch_signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_seed("branch signing key"))


def ephemeral_key() -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(_seed("batch 1 ephemeral key"))


def _pem(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


POST = PostPublicKey(
    code="RP3209A",
    name="Rumah Perisai Desa Contoh",
    kabupaten_code="32.09",
    timezone="WIB",
    demo=True,
    signing_key=post_key().public_key().public_bytes_raw(),
)
BRANCH = BranchPublicKey(
    code="LATIH-CRB",
    name="Cabang Latihan Cirebon",
    demo=True,
    encryption_key=branch_encryption_key().public_key().public_bytes_raw(),
    signing_key=branch_signing_key().public_key().public_bytes_raw(),
)

GENESIS = "0" * 64
RECEIPT_1 = hashlib.sha256(b"golden receipt RP3209A-2026-000001").hexdigest()
RECEIPT_2 = hashlib.sha256(b"golden receipt RP3209A-2026-000002").hexdigest()

# The post's part of the manifest, as ``export_batch`` passes it to ``seal``.
MANIFEST_INPUT: dict[str, Any] = {
    "post": {"code": POST.code, "name": POST.name},
    "seq": 1,
    "prev_batch_hash": None,
    "created_at": "2026-11-27T03:15:00Z",
    "created_on": "2026-11-27",
    "changes": {"from": 0, "to": 12},
    "newest_receipt": {"hash": RECEIPT_2, "chain_length": 2},
    "summary": {
        "registrations": 2,
        "participant_changes": 0,
        "payments": 2,
        "voids": 0,
        "refunds": 0,
        "card_issues": 0,
        "daily_closes": 0,
        "deposits": 0,
    },
    "demo": True,
    "app_version": "0.1.0",
}

# Column lists as the models had them when format 1 was made; fixed here on purpose, so that a
# later column does not change these files (the column lists of today are in the doc).
PARTICIPANTS: list[dict[str, Any]] = [
    {
        "id": 1, "post_id": 1, "post_code": "RP3209A", "number": 1,
        "registration_no": "RP3209A-000001", "kpj": None, "nik": "3209140503920001",
        "name": "Budi Contoh", "birth_place": "Cirebon", "birth_date": "1992-03-05", "sex": "L",
        "street": "Jl. Pantura No. 12", "rt": "003", "rw": "001", "desa_code": "32.09.14.2001",
        "phone": "081200000001", "occupation": "Nelayan", "income": 1000000, "with_jht": 0,
        "heir_name": "Sri Contoh", "heir_relation": "istri",
        "consent_at": "2026-11-20T02:30:00.000000Z", "registered_on": "2026-11-20",
        "registered_at": "2026-11-20T02:31:12.500000Z", "registered_by_id": 1,
        "nik_override_reason": None, "duplicate_override_reason": None, "standing": "member",
        "standing_reason": None, "membership_start": "2026-11-20", "rejoin_count": 0,
        "promotion_code": "PERISAI-JKK-JKM-3BLN", "promo_until": "2027-02-28",
        "cover_from": "2026-11-20", "cover_until": "2027-03-31", "arrears_until": None,
        "promotion_end": "2027-02-28", "converted_on": "2026-11-25", "change_no": 11,
    },
    {
        "id": 2, "post_id": 1, "post_code": "RP3209A", "number": 2,
        "registration_no": "RP3209A-000002", "kpj": None, "nik": "3209145708850002",
        "name": "Ani Contoh", "birth_place": "Indramayu", "birth_date": "1985-08-17", "sex": "P",
        "street": "Blok Sawah, Gang Mawar", "rt": None, "rw": None,
        "desa_code": "32.09.14.2001", "phone": None, "occupation": "Pedagang keliling",
        "income": 1000000, "with_jht": 1, "heir_name": None, "heir_relation": None,
        "consent_at": "2026-11-20T03:05:00.000000Z", "registered_on": "2026-11-20",
        "registered_at": "2026-11-20T03:06:41.031250Z", "registered_by_id": 2,
        "nik_override_reason": "KTP lama, tanggal lahir di KTP berbeda",
        "duplicate_override_reason": None, "standing": "member", "standing_reason": None,
        "membership_start": "2026-11-01", "rejoin_count": 0, "promotion_code": None,
        "promo_until": None, "cover_from": "2026-11-01", "cover_until": "2027-01-31",
        "arrears_until": None, "promotion_end": None, "converted_on": None, "change_no": 8,
    },
]  # fmt: skip
RECEIPTS: list[dict[str, Any]] = [
    {
        "id": 1, "post_id": 1, "post_code": "RP3209A", "year": 2026, "seq": 1,
        "number": "RP3209A-2026-000001", "kind": "payment", "participant_id": 2,
        "voids_receipt_id": None, "month_count": 3, "first_month": "2026-11-01",
        "last_month": "2027-01-01", "jkk": 30000, "jkm": 20400, "jht": 60000, "total": 110400,
        "cash_received": 120000, "reason": None, "issued_at": "2026-11-20T03:10:05.000000Z",
        "issued_on": "2026-11-20", "issued_by_id": 2, "cash_volunteer_id": 2, "refund": 0,
        "prev_hash": GENESIS, "hash": RECEIPT_1, "change_no": 8,
    },
    {
        "id": 2, "post_id": 1, "post_code": "RP3209A", "year": 2026, "seq": 2,
        "number": "RP3209A-2026-000002", "kind": "payment", "participant_id": 1,
        "voids_receipt_id": None, "month_count": 1, "first_month": "2027-03-01",
        "last_month": "2027-03-01", "jkk": 10000, "jkm": 6800, "jht": 0, "total": 16800,
        "cash_received": 20000, "reason": None, "issued_at": "2026-11-25T01:45:30.250000Z",
        "issued_on": "2026-11-25", "issued_by_id": 1, "cash_volunteer_id": 1, "refund": 0,
        "prev_hash": RECEIPT_1, "hash": RECEIPT_2, "change_no": 11,
    },
]  # fmt: skip
CARD_ISSUES_COLUMNS = [
    "id", "post_id", "post_code", "serial", "participant_id", "reason", "reason_note",
    "issued_on", "issued_at", "issued_by_id", "state", "replaced_at", "handed_over_at",
    "change_no",
]  # fmt: skip


def _part(name: str, columns: list[str], rows: list[dict[str, Any]]) -> PlainPart:
    """A part's plaintext exactly as ``services.batches`` writes one."""
    document = {"table": name, "columns": columns, "rows": [[r[c] for c in columns] for r in rows]}
    data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return PlainPart(name=name, records=len(rows), data=data)


def parts() -> list[PlainPart]:
    return [
        _part("participants", list(PARTICIPANTS[0]), PARTICIPANTS),
        _part("receipts", list(RECEIPTS[0]), RECEIPTS),
        _part("card_issues", CARD_ISSUES_COLUMNS, []),
    ]


def part_file(index: int, name: str) -> str:
    """``golden-0001-parts/<n>-<name>.json``: the file holding part ``index`` (from 0)."""
    return f"{PARTS_DIR}/{index + 1}-{name}.json"


def pretty(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode()


def build() -> dict[str, bytes]:
    """Every golden file, by its path relative to this folder."""
    files = {
        POST_KEY_PEM: _pem(post_key()),
        BRANCH_ENCRYPTION_PEM: _pem(branch_encryption_key()),
        BRANCH_SIGNING_PEM: _pem(branch_signing_key()),
        EPHEMERAL_PEM: _pem(ephemeral_key()),
        POST_KEY_FILE: post_key_file(POST, post_key()),
        BRANCH_KEY_FILE: branch_key_file(BRANCH, branch_signing_key()),
    }
    plain = parts()
    for index, part in enumerate(plain):
        files[part_file(index, part.name)] = part.data
    batch = seal(
        MANIFEST_INPUT, plain, post_key=post_key(), branch=BRANCH, ephemeral=ephemeral_key()
    )
    files[BATCH_FILE] = batch
    files[MANIFEST_FILE] = pretty(open_batch(batch, BATCH_FILE).manifest)
    return files


def main(argv: list[str]) -> int:
    files = build()
    stale = [name for name, data in files.items() if _read(HERE / name) != data]
    if "--check" in argv:
        print("\n".join(f"differs: {name}" for name in stale) or "all golden files are current")
        return 1 if stale else 0
    old = _read(HERE / BATCH_FILE)
    same_version = old is not None and old.startswith(HEADER)
    if same_version and old != files[BATCH_FILE] and "--force" not in argv:
        print(
            "The writer's output changed but the format version did not: raise VERSION in "
            "rumah_perisai/exchange/batchfile.py first (or pass --force if you know why)."
        )
        return 1
    for name in stale:
        (HERE / name).parent.mkdir(parents=True, exist_ok=True)
        (HERE / name).write_bytes(files[name])
        print(f"wrote {name}")
    return 0


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
