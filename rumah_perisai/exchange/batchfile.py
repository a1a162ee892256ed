"""The weekly batch file: the data encrypted to the branch, a plain manifest, the post's signature.

Layout (``docs/batch-format.md`` is the reference; tests hold golden files)::

    RUMAH-PERISAI-BATCH/1\\n                 header line, ASCII
    <8 bytes, big-endian>                   length M of the manifest
    <M bytes>                               manifest: canonical JSON, no personal data
    <part 1> ... <part n>                   each part's ciphertext, sizes in the manifest
    <64 bytes>                              Ed25519 signature of the post over all bytes before it

Each part (one table's records) is JSON, compressed with zlib, then sealed with AES-256-GCM under
a key only the branch can derive: X25519 between a fresh key of this batch and the branch's key,
then HKDF-SHA256. Anyone holding the post's public key can check that a file is whole and whose
it is (``open_batch``) without being able to read it; only the branch can ``decrypt_parts``.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from rumah_perisai.errors import UserError
from rumah_perisai.exchange.canonical import b64, canonical_json, load_json, unb64
from rumah_perisai.keys import fingerprint, format_fingerprint, public_bytes
from rumah_perisai.keys.files import BranchPublicKey

FORMAT = "rumah-perisai-batch"
VERSION = 1
MAGIC = b"RUMAH-PERISAI-BATCH/"
HEADER = MAGIC + b"%d\n" % VERSION
LENGTH_SIZE = 8
SIGNATURE_SIZE = 64
SCHEME = "X25519-HKDF-SHA256-AES-256-GCM"
COMPRESSION = "zlib"
FILE_SUFFIX = ".rpb"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
# The largest manifest a reader accepts: thousands of parts would still fit; a damaged length
# field never makes a reader allocate gigabytes.
_MAX_MANIFEST = 1 << 20


class BatchFileError(UserError):
    """The file is not a whole batch; ``key`` says why (``messages.MESSAGES``)."""


@dataclass(frozen=True)
class PlainPart:
    """One part before sealing: its name, how many records it holds, and its JSON bytes."""

    name: str
    records: int
    data: bytes


@dataclass(frozen=True)
class PartEntry:
    name: str
    records: int
    size: int
    sha256: str
    offset: int  # where its ciphertext starts in the file
    plain_size: int | None = None  # its JSON's length (batches written before it was named: None)


@dataclass(frozen=True)
class SealedBatch:
    """A batch file that was checked whole: its manifest and where each part lies."""

    data: bytes
    manifest: dict[str, Any]
    parts: tuple[PartEntry, ...]

    @property
    def post_code(self) -> str:
        return str(self.manifest["post"]["code"])

    @property
    def seq(self) -> int:
        return int(self.manifest["seq"])

    @property
    def post_key(self) -> bytes:
        return unb64(self.manifest["post"]["signing_key"], 32)

    @property
    def file_hash(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _aad(post_code: str, seq: int, part: str) -> bytes:
    """What each part's tag also covers: a part cannot be moved to another batch or name."""
    return f"{FORMAT}/{VERSION}|{post_code}|{seq}|{part}".encode()


def _part_key(shared: bytes, ephemeral: bytes, branch_key: bytes) -> bytes:
    info = f"{FORMAT}/{VERSION} parts".encode() + ephemeral + branch_key
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)


def _nonce(index: int) -> bytes:
    # The key is new for every batch (a fresh X25519 key), so a counter is a safe nonce.
    return index.to_bytes(12, "big")


def seal(
    manifest: dict[str, Any],
    parts: Sequence[PlainPart],
    *,
    post_key: Ed25519PrivateKey,
    branch: BranchPublicKey,
    compress_level: int = 6,
    ephemeral: X25519PrivateKey | None = None,
) -> bytes:
    """The whole file for ``manifest`` (post, seq, ... as ``docs/batch-format.md`` lists;
    format, keys, encryption and parts are filled in here) and its parts.

    ``ephemeral`` is for golden files only: a real batch always gets a key of its own."""
    post_code, seq = manifest["post"]["code"], int(manifest["seq"])
    ephemeral = ephemeral or X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(branch.encryption_key))
    aead = AESGCM(_part_key(shared, ephemeral_public, branch.encryption_key))
    sealed: list[bytes] = []
    entries: list[dict[str, Any]] = []
    for index, part in enumerate(parts):
        ciphertext = aead.encrypt(
            _nonce(index), zlib.compress(part.data, compress_level), _aad(post_code, seq, part.name)
        )
        sealed.append(ciphertext)
        entries.append(
            {
                "name": part.name,
                "records": part.records,
                "size": len(ciphertext),
                "plain_size": len(part.data),
                "sha256": hashlib.sha256(ciphertext).hexdigest(),
            }
        )
    signing_key = public_bytes(post_key)
    full = dict(manifest, format=FORMAT, version=VERSION, parts=entries, compression=COMPRESSION)
    full["post"] = dict(
        manifest["post"], signing_key=b64(signing_key), key_fingerprint=fingerprint(signing_key)
    )
    full["encryption"] = {
        "scheme": SCHEME,
        "ephemeral_key": b64(ephemeral_public),
        "branch": branch.code,
        "branch_key_fingerprint": branch.fingerprint,
    }
    manifest_bytes = canonical_json(full)
    body = b"".join(
        [HEADER, len(manifest_bytes).to_bytes(LENGTH_SIZE, "big"), manifest_bytes, *sealed]
    )
    return body + post_key.sign(body)


def open_batch(data: bytes, name: str) -> SealedBatch:
    """Check that ``data`` is a whole batch, signed by the key its manifest names; or say why not.

    Whose key that is can only be trusted by comparing it with a key known beforehand
    (``check_signer``)."""
    if not data.startswith(MAGIC):
        raise BatchFileError("batch_not_batch", name=name)
    if not data.startswith(HEADER):
        version = data[len(MAGIC) : len(MAGIC) + 8].split(b"\n")[0]
        if len(data) < len(HEADER) and HEADER.startswith(data):
            raise BatchFileError("batch_truncated", name=name, size=len(data), expected="?")
        if version.isdigit() and int(version) > VERSION:
            raise BatchFileError("batch_newer", name=name, version=version.decode("ascii"))
        raise BatchFileError("batch_manifest_bad", name=name, reason="header")
    start = len(HEADER) + LENGTH_SIZE
    if len(data) < start:
        raise BatchFileError("batch_truncated", name=name, size=len(data), expected="?")
    length = int.from_bytes(data[len(HEADER) : start], "big")
    if length > _MAX_MANIFEST:
        raise BatchFileError("batch_manifest_bad", name=name, reason="length")
    if len(data) < start + length:
        raise BatchFileError("batch_truncated", name=name, size=len(data), expected="?")
    manifest = _read_manifest(data[start : start + length], name)
    parts = _part_entries(manifest, start + length, name)
    expected = start + length + sum(part.size for part in parts) + SIGNATURE_SIZE
    if not _signature_ok(data, manifest):
        if len(data) < expected:
            raise BatchFileError("batch_truncated", name=name, size=len(data), expected=expected)
        if len(data) > expected:
            raise BatchFileError("batch_extra", name=name, extra=len(data) - expected)
        raise BatchFileError("batch_signature_bad", name=name)
    # Signed by the key it names, yet not what its manifest says: written wrongly, not damaged.
    if len(data) != expected:
        raise BatchFileError("batch_part_mismatch", name=name, part="*", reason="size")
    for part in parts:
        digest = hashlib.sha256(data[part.offset : part.offset + part.size]).hexdigest()
        if digest != part.sha256:
            raise BatchFileError("batch_part_mismatch", name=name, part=part.name, reason="SHA-256")
    return SealedBatch(data=data, manifest=manifest, parts=parts)


def check_signer(batch: SealedBatch, known_key: bytes | None, name: str) -> None:
    """Refuse a batch whose post is known here under another key (another post signed it)."""
    if known_key is not None and batch.post_key != known_key:
        raise BatchFileError(
            "batch_wrong_key",
            name=name,
            post=batch.post_code,
            fingerprint=format_fingerprint(fingerprint(batch.post_key)),
        )


def _signature_ok(data: bytes, manifest: dict[str, Any]) -> bool:
    if len(data) < SIGNATURE_SIZE:
        return False
    key = Ed25519PublicKey.from_public_bytes(unb64(manifest["post"]["signing_key"], 32))
    try:
        key.verify(data[-SIGNATURE_SIZE:], data[:-SIGNATURE_SIZE])
    except InvalidSignature:
        return False
    return True


def _read_manifest(raw: bytes, name: str) -> dict[str, Any]:
    def bad(reason: str) -> BatchFileError:
        return BatchFileError("batch_manifest_bad", name=name, reason=reason)

    try:
        manifest = load_json(raw)  # bounded: nesting or 5,000-digit numbers are "not JSON"
    except ValueError as error:
        raise bad("not JSON") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise bad("format")
    if manifest.get("version") != VERSION:
        raise bad("version")
    post = manifest.get("post")
    if not isinstance(post, dict) or not isinstance(post.get("code"), str):
        raise bad("post")
    try:
        key = unb64(post.get("signing_key"), 32)
    except ValueError as error:
        raise bad("post key") from error
    if post.get("key_fingerprint") != fingerprint(key):
        raise bad("post key fingerprint")
    seq = manifest.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise bad("seq")
    previous = manifest.get("prev_batch_hash")
    if (seq == 1) != (previous is None) or (previous is not None and not _is_hex64(previous)):
        raise bad("prev_batch_hash")
    changes = manifest.get("changes")
    if (
        not isinstance(changes, dict)
        or not all(_is_count(changes.get(k)) for k in ("from", "to"))
        or changes["from"] > changes["to"]
    ):
        raise bad("changes")
    if not isinstance(manifest.get("demo"), bool) or not isinstance(manifest.get("parts"), list):
        raise bad("demo/parts")
    encryption = manifest.get("encryption")
    if (
        not isinstance(encryption, dict)
        or encryption.get("scheme") != SCHEME
        or not _is_hex64(encryption.get("branch_key_fingerprint"))
        or manifest.get("compression") != COMPRESSION
    ):
        raise bad("encryption")
    try:
        unb64(encryption.get("ephemeral_key"), 32)
    except ValueError as error:
        raise bad("encryption key") from error
    return manifest


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_hex64(value: object) -> bool:
    return isinstance(value, str) and bool(_HEX64.match(value))


def _part_entries(manifest: dict[str, Any], offset: int, name: str) -> tuple[PartEntry, ...]:
    entries: list[PartEntry] = []
    for raw in manifest["parts"]:
        fields = raw if isinstance(raw, dict) else {}
        size, records = fields.get("size"), fields.get("records")
        plain_size = fields.get("plain_size")
        if (
            (plain_size is not None and not _is_count(plain_size))
            or not isinstance(fields.get("name"), str)
            or not isinstance(size, int)
            or not isinstance(records, int)
            or size < 0
            or records < 0
            or not _is_hex64(fields.get("sha256"))
        ):
            raise BatchFileError("batch_manifest_bad", name=name, reason="parts")
        if any(entry.name == fields["name"] for entry in entries):
            raise BatchFileError("batch_manifest_bad", name=name, reason="part named twice")
        entries.append(
            PartEntry(fields["name"], records, size, fields["sha256"], offset, plain_size)
        )
        offset += size
    return tuple(entries)


# A part never inflates beyond what its signed manifest says (``plain_size``), and what it may
# say is bounded by its records (a participant's row is under 1 KB), by what zlib can inflate its
# ciphertext to, and by a cap; a batch written before the manifest named the size is held to the
# same bounds. So a file signed with a (stolen) post key cannot make the branch allocate more
# than a genuine batch of its size could need; parts are opened one at a time.
MAX_BYTES_PER_RECORD = 16 << 10
MAX_PART_BYTES = 1 << 30  # a million participants are about 600 MB of JSON
# zlib inflates at most ~1032:1; a declared size beyond that is a lie told to reserve memory.
MAX_RATIO = 1100


def _record_bound(records: int) -> int:
    return (64 << 10) + records * MAX_BYTES_PER_RECORD


def part_limit(part: PartEntry) -> int:
    if part.plain_size is not None:
        return part.plain_size
    return min(MAX_PART_BYTES, _record_bound(part.records))


def _inflate(compressed: bytes, limit: int, exact: bool, name: str) -> bytes:
    inflater = zlib.decompressobj()
    data = inflater.decompress(compressed, limit + 1)
    if len(data) > limit or inflater.unconsumed_tail:
        raise BatchFileError("batch_manifest_bad", name=name, reason="part too large")
    data += inflater.flush()
    if len(data) > limit or (exact and len(data) != limit) or not inflater.eof:
        raise BatchFileError("batch_manifest_bad", name=name, reason="part size")
    return data


class PartOpener:
    """Opens a batch's parts one at a time, for the branch it was encrypted to: each part is
    decrypted and inflated only when asked for, never beyond the size its manifest declares."""

    def __init__(
        self, batch: SealedBatch, branch: BranchPublicKey, branch_key: X25519PrivateKey, name: str
    ) -> None:
        encryption = batch.manifest.get("encryption") or {}
        if encryption.get("branch_key_fingerprint") != branch.fingerprint:
            raise BatchFileError("batch_other_branch", name=name, branch=encryption.get("branch"))
        for part in batch.parts:
            if part.plain_size is not None and part.plain_size > min(
                MAX_PART_BYTES, part.size * MAX_RATIO, _record_bound(part.records)
            ):
                raise BatchFileError("batch_manifest_bad", name=name, reason="part too large")
        self.batch = batch
        self.name = name
        self.indexes = {part.name: index for index, part in enumerate(batch.parts)}
        try:
            ephemeral = unb64(encryption.get("ephemeral_key"), 32)
            shared = branch_key.exchange(X25519PublicKey.from_public_bytes(ephemeral))
        except ValueError as error:
            raise BatchFileError("batch_undecryptable", name=name) from error
        self.aead = AESGCM(_part_key(shared, ephemeral, branch.encryption_key))

    def has(self, part: str) -> bool:
        return part in self.indexes

    def records(self, part: str) -> int:
        return self.batch.parts[self.indexes[part]].records

    def plain(self, part_name: str) -> bytes:
        index = self.indexes[part_name]
        part = self.batch.parts[index]
        ciphertext = self.batch.data[part.offset : part.offset + part.size]
        try:
            compressed = self.aead.decrypt(
                _nonce(index), ciphertext, _aad(self.batch.post_code, self.batch.seq, part.name)
            )
            return _inflate(compressed, part_limit(part), part.plain_size is not None, self.name)
        except (InvalidTag, ValueError, zlib.error) as error:
            # Signed and addressed to this branch, yet not readable: written wrongly, or this
            # branch's private key is not the one its key file names.
            raise BatchFileError("batch_undecryptable", name=self.name) from error


def decrypt_parts(
    batch: SealedBatch, branch: BranchPublicKey, branch_key: X25519PrivateKey, name: str
) -> dict[str, bytes]:
    """Each part's JSON bytes; only the branch the batch was encrypted to can do this."""
    opener = PartOpener(batch, branch, branch_key, name)
    return {part.name: opener.plain(part.name) for part in batch.parts}
