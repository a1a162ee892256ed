"""The branch's acknowledgement of one batch: written beside the batch on the stick, taken in by
the post. JSON, signed by the branch's Ed25519 key (``docs/batch-format.md``, "Acknowledgement").

It says, for the batch it names (post, sequence number, SHA-256 of the file): how many records of
each part the branch took and which it rejected, with the reason (every record not listed as
rejected was accepted); the post's KPJ numbers known to the branch; the public keys of the
branch's other posts (so their cards verify at this post); and NIK hash prefixes registered at
other posts since the previous acknowledgement, for duplicate warnings. A prefix is the first
six hex digits of SHA-256 over the branch's salt and the NIK: each is shared by many possible
NIKs, so the list tells nothing about any one person; a hit means "possibly registered at another
post — ask the branch".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from rumah_perisai.errors import UserError
from rumah_perisai.exchange.batchfile import FILE_SUFFIX
from rumah_perisai.exchange.canonical import (
    b64,
    canonical_json,
    indented_json,
    load_json,
    unb64,
)
from rumah_perisai.keys.files import BranchPublicKey, post_key_from_content

ACK_FORMAT = "rumah-perisai-ack"
ACK_VERSION = 1
ACK_SUFFIX = ".ack.json"
PREFIX_HEX = 6  # 24 bits: ~16.7 million buckets, each shared by many possible NIKs


def ack_file_name(batch_file_name: str) -> str:
    stem = batch_file_name.removesuffix(FILE_SUFFIX)
    return stem + ACK_SUFFIX


def duplicate_prefix(salt: str, nik: str) -> str:
    return hashlib.sha256(f"{salt}|{nik}".encode()).hexdigest()[:PREFIX_HEX]


@dataclass(frozen=True)
class Rejection:
    entity: str  # the part: "participants", ...
    key: str  # the record's natural key (registration number, receipt number, ...)
    code: str  # why, for programs: "duplicate_nik", ...
    reason: str  # why, for people (Indonesian)
    batch_seq: int  # the batch being imported when it was decided


@dataclass(frozen=True)
class Pending:
    """A record of the post the branch has not decided on yet (a NIK conflict with another
    post's member): it stands as it is until a branch officer decides."""

    entity: str
    key: str
    code: str  # "nik_conflict_pending"
    reason: str  # for people (Indonesian)
    since: str  # the day the branch found it, YYYY-MM-DD


@dataclass(frozen=True)
class Ack:
    branch_code: str
    branch_fingerprint: str
    post_code: str
    seq: int
    batch_file_hash: str
    imported_at: str  # UTC, ISO 8601
    parts: dict[str, dict[str, int]]  # name -> {"records": n, "rejected": n}
    rejections: list[Rejection] = field(default_factory=list)  # all of this post's, to date
    kpj: dict[str, str] = field(default_factory=dict)  # registration number -> KPJ number
    posts: list[dict[str, Any]] = field(default_factory=list)  # the branch's other posts' keys
    duplicate_salt: str = ""
    duplicate_prefixes: list[str] = field(default_factory=list)  # new since the previous ACK
    demo: bool = False
    missing: list[int] = field(default_factory=list)  # the post's batches the branch lacks
    pending: list[Pending] = field(default_factory=list)  # undecided, to date
    # The branch's change number when the ACK was made: of two ACKs, the one with the higher
    # number tells the newer state (posts, KPJ numbers, missing batches, pending conflicts).
    as_of: int = 0
    # The post's data requests (withdrawal, erasure) the branch has applied to its own copy,
    # to date: their natural keys ``<POST>-REQ<n>`` (issue 19). An older ACK has none.
    requests_done: list[str] = field(default_factory=list)
    # Every registration of the post the branch holds erased, to date, with when (UTC, ISO): a
    # post restored from a backup older than an erasure, on a laptop without its erasure list,
    # erases them again when it takes an ACK in (issue 19). An older ACK has none.
    erased: dict[str, str] = field(default_factory=dict)
    # The post's registrations new in this batch whose NIK was on BPJS's own member list: not
    # rejected (a lapsed member may rejoin at a post), they got the listed KPJ, which ``kpj``
    # carries (issue 20). An older ACK has none.
    bpjs_known: list[str] = field(default_factory=list)

    def content(self) -> dict[str, Any]:
        return {
            "format": ACK_FORMAT,
            "version": ACK_VERSION,
            "branch": {"code": self.branch_code, "fingerprint": self.branch_fingerprint},
            "post": self.post_code,
            "batch": {"seq": self.seq, "file_sha256": self.batch_file_hash},
            "imported_at": self.imported_at,
            "demo": self.demo,
            "parts": self.parts,
            "rejections": [
                {
                    "entity": r.entity,
                    "key": r.key,
                    "code": r.code,
                    "reason": r.reason,
                    "batch_seq": r.batch_seq,
                }
                for r in self.rejections
            ],  # fmt: skip
            "kpj": self.kpj,
            "missing_batches": self.missing,
            "pending": [
                {
                    "entity": p.entity,
                    "key": p.key,
                    "code": p.code,
                    "reason": p.reason,
                    "since": p.since,
                }
                for p in self.pending
            ],  # fmt: skip
            "as_of": self.as_of,
            "requests_done": self.requests_done,
            "erased": self.erased,
            "bpjs_known": self.bpjs_known,
            "posts": self.posts,
            "duplicates": {
                "scheme": f"sha256(salt|nik)[:{PREFIX_HEX}]",
                "salt": self.duplicate_salt,
                "prefixes": self.duplicate_prefixes,
            },
        }


def ack_bytes(ack: Ack, signer: Ed25519PrivateKey) -> bytes:
    content = ack.content()
    signed = dict(content, signature=b64(signer.sign(canonical_json(content))))
    return (indented_json(signed) + "\n").encode()


def read_ack(data: bytes, branch: BranchPublicKey, name: str) -> Ack:
    """The acknowledgement in ``data``, checked against the installed branch key."""
    try:
        document = load_json(data)
    except ValueError as error:
        raise UserError("ack_bad", name=name, reason="not JSON") from error
    if not isinstance(document, dict) or document.get("format") != ACK_FORMAT:
        raise UserError("ack_bad", name=name, reason="not an acknowledgement")
    if document.get("version") != ACK_VERSION:
        raise UserError("ack_bad", name=name, reason=f"version {document.get('version')}")
    content = {k: v for k, v in document.items() if k != "signature"}
    claimed = _branch_field(content, "fingerprint")
    try:
        signature = unb64(document.get("signature"), 64)
        Ed25519PublicKey.from_public_bytes(branch.signing_key).verify(
            signature, canonical_json(content)
        )
    except (ValueError, InvalidSignature) as error:
        if claimed != branch.fingerprint:
            raise UserError("ack_other_branch", name=name, branch=_branch_code(content)) from error
        raise UserError("ack_bad", name=name, reason="signature") from error
    try:
        ack = _parse(content)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise UserError("ack_bad", name=name, reason="content") from error
    if ack.seq < 1:
        raise UserError("ack_bad", name=name, reason="content")
    return ack


def _checked_post(entry: object) -> dict[str, Any]:
    """One of the branch's other posts, checked as its key file is: a damaged entry refuses the
    acknowledgement rather than reach the post's database."""
    try:
        post_key_from_content(entry)
    except UserError as error:
        raise ValueError("post entry") from error
    assert isinstance(entry, dict)
    return entry


def _branch_field(content: dict[str, Any], field: str) -> object:
    # Read before the signature is checked: any JSON value may stand where the branch should.
    branch = content.get("branch")
    return branch.get(field) if isinstance(branch, dict) else None


def _branch_code(content: dict[str, Any]) -> str:
    code = _branch_field(content, "code")
    return str(code)[:16] if code is not None else "?"


def _parse(content: dict[str, Any]) -> Ack:
    batch = content["batch"]
    duplicates = content["duplicates"]
    return Ack(
        branch_code=str(content["branch"]["code"]),
        branch_fingerprint=str(content["branch"]["fingerprint"]),
        post_code=str(content["post"]),
        seq=int(batch["seq"]),
        batch_file_hash=str(batch["file_sha256"]),
        imported_at=str(content["imported_at"]),
        parts={str(k): {str(a): int(b) for a, b in v.items()} for k, v in content["parts"].items()},
        rejections=[
            Rejection(
                str(r["entity"]),
                str(r["key"]),
                str(r["code"]),
                str(r["reason"]),
                int(r["batch_seq"]),
            )
            for r in content["rejections"]
        ],  # fmt: skip
        kpj={str(k): str(v) for k, v in content["kpj"].items()},
        posts=[_checked_post(entry) for entry in content["posts"]],
        duplicate_salt=str(duplicates["salt"]),
        duplicate_prefixes=[str(p) for p in duplicates["prefixes"]],
        demo=bool(content.get("demo", False)),
        missing=[_count(seq) for seq in content.get("missing_batches", [])],
        pending=[
            Pending(
                str(p["entity"]), str(p["key"]), str(p["code"]), str(p["reason"]), str(p["since"])
            )
            for p in content.get("pending", [])
        ],  # fmt: skip
        as_of=_count(content.get("as_of", 0)),
        requests_done=[_request_key(key) for key in content.get("requests_done", [])],
        erased=_erased(content.get("erased", {})),
        bpjs_known=[_registration_no(regno) for regno in content.get("bpjs_known", [])],
    )


def _erased(value: object) -> dict[str, str]:
    """Registration numbers and UTC moments (``YYYY-MM-DDTHH:MM:SSZ``): nothing else."""
    if not isinstance(value, dict):
        raise ValueError("not a list of erasures")
    out: dict[str, str] = {}
    for regno, moment in value.items():
        if not isinstance(regno, str) or not 0 < len(regno) <= 24 or not regno.isprintable():
            raise ValueError("not a registration number")
        if not isinstance(moment, str) or len(moment) != 20 or not moment.endswith("Z"):
            raise ValueError("not a moment")
        out[regno] = moment
    return out


def _registration_no(value: object) -> str:
    """A registration number: short printable text, nothing else."""
    if not isinstance(value, str) or not 0 < len(value) <= 24 or not value.isprintable():
        raise ValueError("not a registration number")
    return value


def _request_key(value: object) -> str:
    """A request's natural key, ``<POST>-REQ<n>``: nothing else, and never long."""
    if not isinstance(value, str) or len(value) > 40 or "-REQ" not in value:
        raise ValueError("not a request key")
    return value


def _count(value: object) -> int:
    """A whole number from the file: never a bool, never negative, never absurdly long."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 1 << 62:
        raise ValueError("not a count")
    return value
