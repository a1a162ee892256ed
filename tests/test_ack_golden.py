"""The acknowledgement format stays put (``docs/batch-format.md``, "Acknowledgement"): a golden
ACK, signed with the golden branch key of ``tests/data/batch``, reproduced byte for byte and read
back; a changed byte or another branch's key is refused.

To make the golden file again after a deliberate format change (raise ``ACK_VERSION`` first)::

    .venv/bin/python tests/test_ack_golden.py --write
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from rumah_perisai.errors import UserError
from rumah_perisai.exchange.ack import Ack, Pending, Rejection, ack_bytes, ack_file_name, read_ack
from rumah_perisai.keys.files import read_branch_key_file

ROOT = Path(__file__).resolve().parent.parent
KEYS = ROOT / "tests" / "data" / "batch"
GOLDEN = ROOT / "tests" / "data" / "ack" / "golden-0001.ack.json"


def _branch_signing() -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(
        (KEYS / "branch-signing-ed25519.pem").read_bytes(), password=None
    )
    assert isinstance(key, Ed25519PrivateKey)
    return key


def golden_ack() -> Ack:
    branch = read_branch_key_file((KEYS / "golden-branch-key.json").read_bytes())
    post_key = (KEYS / "golden-post-key.json").read_bytes()
    import json

    other_post = json.loads(post_key)
    other_post.pop("signature")
    other_post["post"]["code"] = "RP3209B"
    other_post["suspended"] = False
    return Ack(
        branch_code=branch.code,
        branch_fingerprint=branch.fingerprint,
        post_code="RP3209A",
        seq=1,
        batch_file_hash="b61923af" + "0" * 48 + "0000db51",
        imported_at="2026-11-27T03:20:00Z",
        parts={
            "participants": {"records": 2, "rejected": 1},
            "receipts": {"records": 2, "rejected": 0},
        },
        rejections=[
            Rejection(
                "participants",
                "RP3209A-000002",
                "duplicate_nik",
                "NIK sudah terdaftar di pos RP3209B (RP3209B-000017, 2026-10-02); pendaftaran "
                "yang lebih akhir ditolak.",
                1,
            )
        ],  # fmt: skip
        kpj={"RP3209A-000001": "26031234567"},
        posts=[other_post],
        duplicate_salt=f"rumah-perisai-dup-1|{branch.code}",
        duplicate_prefixes=["03af1c", "9b00e2"],
        demo=branch.demo,
        missing=[3],
        pending=[
            Pending(
                "participants",
                "RP3209A-000001",
                "nik_conflict_pending",
                "NIK yang sama terdaftar di pos RP3209B; cabang akan memutuskan pendaftaran "
                "mana yang berlaku. Sampai saat itu keduanya tetap seperti adanya.",
                "2026-11-27",
            )
        ],
        as_of=4711,
        requests_done=["RP3209A-REQ1"],
        bpjs_known=["RP3209A-000001"],
    )


def test_the_golden_ack_is_reproduced_byte_for_byte() -> None:
    assert ack_bytes(golden_ack(), _branch_signing()) == GOLDEN.read_bytes()


def test_the_golden_ack_reads_back() -> None:
    branch = read_branch_key_file((KEYS / "golden-branch-key.json").read_bytes())
    ack = read_ack(GOLDEN.read_bytes(), branch, GOLDEN.name)
    assert ack == golden_ack()
    assert ack_file_name("RP3209A-batch-0001-2026-11-27.rpb") == (
        "RP3209A-batch-0001-2026-11-27.ack.json"
    )


def test_an_older_ack_without_the_requests_list_reads_as_none() -> None:
    """``requests_done`` came in December 2026 (issue 19) without raising the version: an
    acknowledgement of a branch before it still reads, listing no request done."""
    import json

    from rumah_perisai.exchange.canonical import b64, canonical_json

    branch = read_branch_key_file((KEYS / "golden-branch-key.json").read_bytes())
    content = golden_ack().content()
    content.pop("requests_done")
    signed = dict(content, signature=b64(_branch_signing().sign(canonical_json(content))))
    older = json.dumps(signed, sort_keys=True).encode()
    assert read_ack(older, branch, "older.ack.json").requests_done == []


def test_an_older_ack_without_bpjs_known_reads_as_none() -> None:
    """``bpjs_known`` came with issue 20 without raising the version: an acknowledgement of a
    branch before it still reads, naming no registration known to BPJS."""
    import json

    from rumah_perisai.exchange.canonical import b64, canonical_json

    branch = read_branch_key_file((KEYS / "golden-branch-key.json").read_bytes())
    content = golden_ack().content()
    content.pop("bpjs_known")
    signed = dict(content, signature=b64(_branch_signing().sign(canonical_json(content))))
    older = json.dumps(signed, sort_keys=True).encode()
    assert read_ack(older, branch, "older.ack.json").bpjs_known == []


def test_a_changed_golden_ack_or_another_branchs_key_is_refused() -> None:
    from rumah_perisai.keys.files import create_branch_keys

    branch = read_branch_key_file((KEYS / "golden-branch-key.json").read_bytes())
    changed = GOLDEN.read_bytes().replace(b"26031234567", b"26031234568")
    with pytest.raises(UserError) as refused:
        read_ack(changed, branch, "x")
    assert refused.value.key == "ack_bad"
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        other = create_branch_keys(Path(scratch), "KC-IDM", "Indramayu", demo=False)
    with pytest.raises(UserError) as refused:
        read_ack(GOLDEN.read_bytes(), other.public, "x")
    assert refused.value.key == "ack_other_branch"


if __name__ == "__main__" and "--write" in sys.argv:
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_bytes(ack_bytes(golden_ack(), _branch_signing()))
    print(GOLDEN)
