"""The backup file: a post's whole state, encrypted, with the wraps of its key in clear (issue 16).

Layout (``docs/backup-format.md`` is the reference)::

    RUMAH-PERISAI-BACKUP/1\\n              header line, ASCII
    <8 bytes, big-endian>                 length H of the header
    <H bytes>                             header: canonical JSON, no personal data
    <content>                             the content's ciphertext, in chunks (see below)
    <64 bytes>                            Ed25519 signature over SIGNED_PREFIX + SHA-256 of all
                                          bytes before it

The header says whose backup it is (post code, name, signing key), when it was made, by which
program and schema, and carries the **wraps** of the post's database key (by the recovery code
and by the branch's key, as the data folder's recovery record has them). The content is the
database snapshot, the post's ``keys/`` and ``settings.json``, laid out as an index and the
entries' bytes, encrypted in chunks of ``CHUNK`` bytes with AES-256-GCM under a key derived from
the database key (HKDF-SHA256, a random salt per file): whoever can unwrap the database key can
read it, nobody else. Each chunk's nonce is its number; its associated data binds the post, the
salt, the number and whether it is the last, so chunks cannot be reordered, dropped or moved.

The file's size follows from its header, so a cut file is told from an altered one. The
signature is the post's; a backup the branch re-issued (``branch recover-post``) carries a new
recovery wrap and is signed by the branch, the content unchanged.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from rumah_perisai.errors import UserError
from rumah_perisai.exchange.canonical import b64, canonical_json, load_json, unb64
from rumah_perisai.keys import fingerprint, public_bytes

FORMAT = "rumah-perisai-backup"
VERSION = 1
MAGIC = b"RUMAH-PERISAI-BACKUP/"
HEADER_LINE = MAGIC + b"%d\n" % VERSION
LENGTH_SIZE = 8
SIGNATURE_SIZE = 64
TAG_SIZE = 16
CHUNK = 1 << 20
CIPHER = "AES-256-GCM-CHUNKED"
FILE_SUFFIX = ".rpbackup"
SIGNED_PREFIX = b"RUMAH-PERISAI-BACKUP/1 sha256 "
KINDS = ("daily", "close", "batch", "manual")
SIGNER_POST = "post"
SIGNER_BRANCH = "branch"
# A header is a few kilobytes; a damaged length never makes a reader allocate more.
_MAX_HEADER = 1 << 20
# The content's index: a handful of entries.
_MAX_INDEX = 1 << 16
_READ = 1 << 20
_STAMP = "%Y%m%dT%H%M%SZ"
_NAME = re.compile(r"^([A-Z0-9]{3,12})-(\d{8}T\d{6}Z)-([a-z]+)" + re.escape(FILE_SUFFIX) + "$")
_ENTRY = re.compile(r"^(database|settings\.json|keys/[A-Za-z0-9._-]{1,100})$")


class BackupFileError(UserError):
    """The file is not a whole backup; ``key`` says why (``messages.MESSAGES``)."""


@dataclass(frozen=True)
class BackupHeader:
    """What a backup's header says, checked whole (size, hash, signature)."""

    path: Path
    header: dict[str, Any]
    size: int

    @property
    def post_code(self) -> str:
        return str(self.header["post"]["code"])

    @property
    def post_name(self) -> str:
        return str(self.header["post"].get("name", ""))

    @property
    def post_key(self) -> bytes:
        return unb64(self.header["post"]["signing_key"], 32)

    @property
    def post_fingerprint(self) -> str:
        return fingerprint(self.post_key)

    @property
    def timezone(self) -> str:
        return str(self.header["post"].get("timezone", "WIB"))

    @property
    def demo(self) -> bool:
        return bool(self.header["post"].get("demo"))

    @property
    def created_at(self) -> datetime:
        return parse_moment(self.header["created_at"])

    @property
    def kind(self) -> str:
        return str(self.header["kind"])

    @property
    def schema_revision(self) -> str:
        return str(self.header["schema_revision"])

    @property
    def program_version(self) -> str:
        return str(self.header["program_version"])

    @property
    def change_no(self) -> int:
        return int(self.header["state"]["change_no"])

    @property
    def last_receipt(self) -> dict[str, int] | None:
        value = self.header["state"].get("last_receipt")
        return dict(value) if isinstance(value, dict) else None

    @property
    def last_batch_seq(self) -> int:
        return int(self.header["state"].get("last_batch_seq") or 0)

    @property
    def wraps(self) -> dict[str, Any]:
        return dict(self.header["wraps"])

    @property
    def signer(self) -> dict[str, Any]:
        return dict(self.header["signer"])

    @property
    def recovered(self) -> bool:
        return self.signer.get("role") == SIGNER_BRANCH

    @property
    def content_size(self) -> int:
        return int(self.header["content"]["size"])

    @property
    def body_offset(self) -> int:
        return len(HEADER_LINE) + LENGTH_SIZE + len(canonical_json(self.header))


# --- names and moments ---------------------------------------------------------------------------


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_STAMP)


def backup_file_name(post_code: str, created_at: datetime, kind: str) -> str:
    """``<POSTCODE>-<YYYYMMDDTHHMMSSZ>-<kind>.rpbackup``: no ':' (Windows), no personal data."""
    return f"{post_code}-{stamp(created_at)}-{kind}{FILE_SUFFIX}"


@dataclass(frozen=True)
class NamedBackup:
    """What a backup's file name says (trusted only for sorting and rotation)."""

    path: Path
    post_code: str
    created_at: datetime
    kind: str


def parse_name(path: Path) -> NamedBackup | None:
    match = _NAME.match(path.name)
    if match is None:
        return None
    try:
        moment = datetime.strptime(match.group(2), _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None
    return NamedBackup(path, match.group(1), moment, match.group(3))


def moment_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_moment(text: object) -> datetime:
    if not isinstance(text, str):
        raise ValueError("not a moment")
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


# --- keys ----------------------------------------------------------------------------------------


def _content_key(database_key: bytes, salt: bytes) -> bytes:
    info = f"{FORMAT}/{VERSION} content".encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(database_key)


def _aad(post_code: str, salt: bytes, index: int, last: bool) -> bytes:
    return (
        f"{FORMAT}/{VERSION}|{post_code}|".encode()
        + salt
        + index.to_bytes(8, "big")
        + (b"\x01" if last else b"\x00")
    )


def _nonce(index: int) -> bytes:
    # A fresh key for every file (a random salt), so a counter is a safe nonce.
    return index.to_bytes(12, "big")


def _chunks(size: int) -> int:
    return max(1, -(-size // CHUNK))


def expected_size(header_bytes: int, content_size: int) -> int:
    body = content_size + TAG_SIZE * _chunks(content_size)
    return len(HEADER_LINE) + LENGTH_SIZE + header_bytes + body + SIGNATURE_SIZE


# --- writing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One file of the content: the database snapshot, a key file, the settings."""

    name: str
    path: Path


def content_index(entries: list[Entry]) -> tuple[bytes, int]:
    """The index (JSON) and the content's whole plaintext size."""
    sizes = [e.path.stat().st_size for e in entries]
    listed = [{"name": e.name, "size": n} for e, n in zip(entries, sizes, strict=True)]
    index = canonical_json({"entries": listed})
    size = LENGTH_SIZE + len(index) + sum(sizes)
    return index, size


def new_salt() -> bytes:
    return secrets.token_bytes(32)


def _plain_stream(index: bytes, entries: list[Entry]) -> Iterator[bytes]:
    yield len(index).to_bytes(LENGTH_SIZE, "big") + index
    for entry in entries:
        with entry.path.open("rb") as handle:
            while block := handle.read(_READ):
                yield block


def _rechunk(blocks: Iterator[bytes], size: int) -> Iterator[bytes]:
    buffer = bytearray()
    for block in blocks:
        buffer += block
        while len(buffer) >= size:
            yield bytes(buffer[:size])
            del buffer[:size]
    yield bytes(buffer)  # the last chunk, possibly empty when the content is a multiple


def write_backup_stream(
    out: BinaryIO,
    header: dict[str, Any],
    entries: list[Entry],
    database_key: bytes,
    signer: Ed25519PrivateKey,
    step: Callable[[int, int], None] | None = None,
) -> int:
    """Write the whole file to ``out``; returns its size. ``header`` has everything but the
    format fields and ``content``, which are filled in here (with ``post.signing_key``)."""
    index, size = content_index(entries)
    salt = new_salt()
    full = dict(header, format=FORMAT, version=VERSION)
    full["content"] = {"cipher": CIPHER, "chunk": CHUNK, "size": size, "salt": b64(salt)}
    header_bytes = canonical_json(full)
    digest = hashlib.sha256()
    written = 0

    def put(data: bytes) -> None:
        nonlocal written
        out.write(data)
        digest.update(data)
        written += len(data)

    put(HEADER_LINE + len(header_bytes).to_bytes(LENGTH_SIZE, "big") + header_bytes)
    aead = AESGCM(_content_key(database_key, salt))
    post_code = str(full["post"]["code"])
    total = _chunks(size)
    chunks = _rechunk(_plain_stream(index, entries), CHUNK)
    for number in range(total):
        chunk = next(chunks)
        last = number == total - 1
        put(aead.encrypt(_nonce(number), chunk, _aad(post_code, salt, number, last)))
        if step is not None:
            step(number + 1, total)
    signature = signer.sign(SIGNED_PREFIX + digest.digest())
    out.write(signature)
    written += len(signature)
    return written


def sign_header_again(
    source: Path, checked: BackupHeader, header: dict[str, Any], signer: Ed25519PrivateKey
) -> Iterator[bytes]:
    """The bytes of a file with ``header`` in place of ``checked``'s and the same content,
    signed by ``signer`` (the branch re-issuing a backup); yielded piece by piece."""
    header_bytes = canonical_json(header)
    digest = hashlib.sha256()
    first = HEADER_LINE + len(header_bytes).to_bytes(LENGTH_SIZE, "big") + header_bytes
    digest.update(first)
    yield first
    body = checked.size - checked.body_offset - SIGNATURE_SIZE
    with source.open("rb") as handle:
        handle.seek(checked.body_offset)
        while body > 0:
            block = handle.read(min(_READ, body))
            if not block:
                raise BackupFileError("backup_cut", name=source.name)
            body -= len(block)
            digest.update(block)
            yield block
    yield signer.sign(SIGNED_PREFIX + digest.digest())


# --- reading -------------------------------------------------------------------------------------


def read_header(path: Path) -> BackupHeader:
    """Check that ``path`` is a whole backup signed by the key its header names; or say why not.

    The whole file is read (hashed), never decrypted: no key is needed. Who the signer is can
    only be trusted by comparing its key with one known beforehand."""
    name = path.name
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            header, header_len = _read_header_bytes(handle, size, name)
            expected = expected_size(header_len, int(header["content"]["size"]))
            digest = hashlib.sha256()
            handle.seek(0)
            remaining = min(size, expected) - SIGNATURE_SIZE
            while remaining > 0:
                block = handle.read(min(_READ, remaining))
                if not block:
                    break
                digest.update(block)
                remaining -= len(block)
            signature = handle.read(SIGNATURE_SIZE) if size >= expected else b""
    except OSError as error:
        raise UserError("file_unreadable", path=str(path), reason=error.strerror) from error
    if size < expected:
        raise BackupFileError("backup_cut", name=name)
    if size > expected:
        raise BackupFileError("backup_damaged", name=name)
    try:
        _signer_key(header).verify(signature, SIGNED_PREFIX + digest.digest())
    except InvalidSignature as error:
        raise BackupFileError("backup_damaged", name=name) from error
    return BackupHeader(path=path, header=header, size=size)


def _read_header_bytes(handle: BinaryIO, size: int, name: str) -> tuple[dict[str, Any], int]:
    first = handle.read(len(HEADER_LINE) + LENGTH_SIZE)
    if not first.startswith(MAGIC):
        if MAGIC.startswith(first):
            raise BackupFileError("backup_cut", name=name)
        raise BackupFileError("backup_not_backup", name=name)
    if not first.startswith(HEADER_LINE):
        version = first[len(MAGIC) :].split(b"\n")[0]
        if version.isdigit() and int(version) > VERSION:
            raise BackupFileError("backup_newer_format", name=name, version=version.decode())
        if len(first) < len(HEADER_LINE):
            raise BackupFileError("backup_cut", name=name)
        raise BackupFileError("backup_damaged", name=name)
    if len(first) < len(HEADER_LINE) + LENGTH_SIZE:
        raise BackupFileError("backup_cut", name=name)
    length = int.from_bytes(first[len(HEADER_LINE) :], "big")
    if length > _MAX_HEADER:
        raise BackupFileError("backup_damaged", name=name)
    raw = handle.read(length)
    if len(raw) < length:
        raise BackupFileError("backup_cut", name=name)
    return _check_header(raw, name), length


def _check_header(raw: bytes, name: str) -> dict[str, Any]:
    def bad() -> BackupFileError:
        return BackupFileError("backup_damaged", name=name)

    try:
        header = load_json(raw)
    except ValueError as error:
        raise bad() from error
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise bad()
    if header.get("version") != VERSION:
        raise bad()
    post, content, state = header.get("post"), header.get("content"), header.get("state")
    if not isinstance(post, dict) or not isinstance(post.get("code"), str):
        raise bad()
    try:
        key = unb64(post.get("signing_key"), 32)
        parse_moment(header.get("created_at"))
        unb64(content.get("salt") if isinstance(content, dict) else None, 32)
    except ValueError as error:
        raise bad() from error
    if post.get("key_fingerprint") != fingerprint(key):
        raise bad()
    if (
        not isinstance(content, dict)
        or content.get("cipher") != CIPHER
        or content.get("chunk") != CHUNK
        or not _is_count(content.get("size"))
    ):
        raise bad()
    if not isinstance(state, dict) or not _is_count(state.get("change_no")):
        raise bad()
    if header.get("kind") not in KINDS or not isinstance(header.get("schema_revision"), str):
        raise bad()
    if not isinstance(header.get("wraps"), dict) or not isinstance(header.get("signer"), dict):
        raise bad()
    try:
        _signer_key(header)
    except ValueError as error:
        raise bad() from error
    return header


def _signer_key(header: dict[str, Any]) -> Ed25519PublicKey:
    signer = header["signer"]
    if signer.get("role") == SIGNER_POST:
        return Ed25519PublicKey.from_public_bytes(unb64(header["post"]["signing_key"], 32))
    if signer.get("role") == SIGNER_BRANCH:
        return Ed25519PublicKey.from_public_bytes(unb64(signer.get("signing_key"), 32))
    raise ValueError("unknown signer")


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def branch_signer(code: str, signing: Ed25519PrivateKey) -> dict[str, Any]:
    key = public_bytes(signing)
    return {"role": SIGNER_BRANCH, "branch": code, "signing_key": b64(key),
            "fingerprint": fingerprint(key)}  # fmt: skip


# --- decrypting ----------------------------------------------------------------------------------


def decrypt_content(
    checked: BackupHeader, database_key: bytes, target: Path | None
) -> dict[str, str]:
    """Write the content's entries into the folder ``target`` (made here; None: nowhere, only
    checked); returns each entry's SHA-256 by name.

    ``backup_damaged`` when a chunk does not open: the file changed since it was checked, or
    the key is not this backup's."""
    name = checked.path.name
    content = checked.header["content"]
    salt = unb64(content["salt"], 32)
    size = int(content["size"])
    aead = AESGCM(_content_key(database_key, salt))
    total = _chunks(size)
    writer = _EntryWriter(target, name)
    try:
        with checked.path.open("rb") as handle:
            handle.seek(checked.body_offset)
            left = size
            for number in range(total):
                plain_len = min(CHUNK, left)
                ciphertext = handle.read(plain_len + TAG_SIZE)
                aad = _aad(checked.post_code, salt, number, number == total - 1)
                try:
                    chunk = aead.decrypt(_nonce(number), ciphertext, aad)
                except (InvalidTag, ValueError) as error:
                    raise BackupFileError("backup_damaged", name=name) from error
                left -= len(chunk)
                writer.feed(chunk)
    finally:
        writer.close()
    return writer.finish()


class _Sink:
    """Where one entry's bytes go: its file (or nowhere), hashed on the way."""

    def __init__(self, path: Path | None) -> None:
        self.digest = hashlib.sha256()
        self.handle: BinaryIO | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = path.open("wb")

    def write(self, data: bytes | memoryview) -> None:
        self.digest.update(data)
        if self.handle is not None:
            self.handle.write(data)

    def close(self) -> None:
        if self.handle is not None:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
            self.handle = None


class _EntryWriter:
    """Splits the content's plaintext into its entries' files, as the index says."""

    def __init__(self, target: Path | None, name: str) -> None:
        self.target = target
        self.name = name
        self.buffer = bytearray()
        self.entries: list[tuple[str, int]] | None = None
        self.current: _Sink | None = None
        self.left = 0
        self.position = 0
        self.done: dict[str, str] = {}

    def _bad(self) -> BackupFileError:
        return BackupFileError("backup_damaged", name=self.name)

    def feed(self, data: bytes) -> None:
        if self.entries is None:
            self.buffer += data
            if len(self.buffer) < LENGTH_SIZE:
                return
            length = int.from_bytes(self.buffer[:LENGTH_SIZE], "big")
            if length > _MAX_INDEX:
                raise self._bad()
            if len(self.buffer) < LENGTH_SIZE + length:
                return
            self.entries = self._index(bytes(self.buffer[LENGTH_SIZE : LENGTH_SIZE + length]))
            data = bytes(self.buffer[LENGTH_SIZE + length :])
            self.buffer = bytearray()
        self._write(data)

    def _index(self, raw: bytes) -> list[tuple[str, int]]:
        try:
            document = load_json(raw)
        except ValueError as error:
            raise self._bad() from error
        listed = document.get("entries") if isinstance(document, dict) else None
        if not isinstance(listed, list):
            raise self._bad()
        entries: list[tuple[str, int]] = []
        for item in listed:
            entry_name = item.get("name") if isinstance(item, dict) else None
            size = item.get("size") if isinstance(item, dict) else None
            if not isinstance(entry_name, str) or not _ENTRY.match(entry_name):
                raise self._bad()
            if not _is_count(size) or any(entry_name == n for n, _s in entries):
                raise self._bad()
            entries.append((entry_name, int(size)))  # type: ignore[arg-type]
        if self.target is not None:
            self.target.mkdir(parents=True, exist_ok=True)
        return entries

    def _write(self, data: bytes) -> None:
        assert self.entries is not None
        view = memoryview(data)
        while True:
            if self.current is None:
                if self.position >= len(self.entries):
                    if len(view):
                        raise self._bad()
                    return
                entry_name, self.left = self.entries[self.position]
                self.current = _Sink(None if self.target is None else self.target / entry_name)
            taken = view[: self.left]
            self.current.write(taken)
            self.left -= len(taken)
            view = view[len(taken) :]
            if self.left:
                return
            self.done[self.entries[self.position][0]] = self.current.digest.hexdigest()
            self._close_current()
            self.position += 1

    def _close_current(self) -> None:
        if self.current is not None:
            self.current.close()
            self.current = None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._close_current()

    def finish(self) -> dict[str, str]:
        # Entries of size 0 after the last byte are opened and closed here.
        if self.entries is not None:
            self._write(b"")
        if self.entries is None or self.position != len(self.entries):
            raise self._bad()
        return self.done
