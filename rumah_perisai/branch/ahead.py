"""Reading the next batch ahead while the one before is imported (issue 21).

A branch importing many posts' batches waits for PostgreSQL during each batch's transaction
while one of its two cores stands idle, then spends as long again in Python decrypting, parsing
and checking the next file. Here a second process does the next batch's self-contained work —
its parts decrypted, inflated and parsed (``upsert.PartReader``), the participants' NIK
prefixes added (``acks.with_prefixes``) and their erased rows found
(``requests.erased_sources``), each part's columns and own keys checked (``upsert.check_part``,
``check_own_keys``) and its rows put in COPY's text format by the driver's own formatter, and the
post's history (``AUDIT_PART``) checked and put in COPY's text format too, but for the import's
change number and the time window, which only its turn knows (``audit.StagedAudit``) — while
the import of the batch before runs in this one.

Nothing is decided there. What it found is handed back as it would have come out of the same
functions called in turn (``Prepared``): a part's document, a part staged for COPY, or the
refusal its reading or its checks raised; the import raises that refusal when the part's turn
comes, after everything before it happened as before. Whatever depends on what the database
holds at the batch's turn — its place in the post's sequence, the link to the previous batch,
the time window, the references, the receipt chain's prefix and its stored rows' hashes — is
still checked in the batch's own transaction. From the first part the second process could not
do (anything but a refusal: a value the formatter cannot take, a row of the wrong shape), it
stops, and the import reads that part and the rest itself, meeting what it met there. A result
is used only for the very bytes the import opened (the file's hash) and under the same name.

The second process is started as ``python -m`` this module (``pipes``). Tasks go to its stdin
and results come from its stdout, one batch ahead: the task for batch i + 1 (the file's path: it
reads the file itself) is sent when the result for batch i is taken, so neither side ever waits
on a full pipe while the other waits on it. The branch's private encryption key goes through
the pipe, as ``chain_ranges`` sends the database key. A process that cannot start, dies, or
answers nonsense leaves the import to do everything itself.
"""

from __future__ import annotations

import codecs
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from rumah_perisai.branch import pipes
from rumah_perisai.branch.acks import duplicate_salt, with_prefixes
from rumah_perisai.branch.audit import StagedAudit, audit_rows, stored_audit_row
from rumah_perisai.branch.folder import branch_keys
from rumah_perisai.branch.requests import erased_sources
from rumah_perisai.branch.upsert import (
    IMPORT_ORDER,
    LATER_PARTS,
    PartReader,
    StagedPart,
    check_own_keys,
    check_part,
)
from rumah_perisai.config import DataFolder
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.batchfile import SealedBatch, open_batch
from rumah_perisai.keys.files import BranchKeys
from rumah_perisai.services.batches import AUDIT_PART

# The parts in the order the import reads them (``importer._import_in``): those it upserts, then
# the post's own row, then the history.
READ_ORDER = (*IMPORT_ORDER, "posts", AUDIT_PART)


@dataclass
class Prepared:
    """What the second process found for one batch file, part by part in ``READ_ORDER``.

    Each entry of ``parts`` is what reading the part gives: a document (dict), a ``StagedPart``,
    None (the part is absent and optional), or the ``UserError`` reading or checking it raised.
    A part missing from ``parts`` (and every one after it) the import reads itself.
    ``opened``: the refusal met while making the part reader (another branch's batch), raised
    where the import makes its reader."""

    name: str
    file_hash: str
    encoding: str
    opened: UserError | None = None
    parts: dict[str, Any] = field(default_factory=dict)


# --- in the second process ----------------------------------------------------------------------


def prepare(data: bytes, name: str, keys: BranchKeys, encoding: str) -> Prepared | None:
    """The self-contained work of one batch (see the module); None when the file does not open
    (the import refuses it itself)."""
    try:
        sealed = open_batch(data, name)
    except UserError:
        return None
    prepared = Prepared(name, sealed.file_hash, encoding)
    try:
        reader = PartReader(sealed, keys, name)
    except UserError as error:
        prepared.opened = error
        return prepared
    salt = duplicate_salt(keys)
    for part in READ_ORDER:
        try:
            found = _read(reader, part)
        except UserError as error:
            prepared.parts[part] = error
            return prepared
        if found is not None and part == AUDIT_PART:
            prepared.parts[part] = _staged_audit(found, sealed.post_code, name, encoding) or found
            continue
        if found is None or part not in IMPORT_ORDER:
            prepared.parts[part] = found
            continue
        try:
            staged = _staged(part, found, sealed, name, salt, encoding)
        except Exception:  # the import meets it itself, at the same place: stop here
            return prepared
        prepared.parts[part] = staged
        if staged.refused is not None:
            return prepared
    return prepared


def _read(reader: PartReader, part: str) -> dict[str, Any] | None:
    return reader.read(part) if part in IMPORT_ORDER and part not in LATER_PARTS else (
        reader.optional(part)
    )  # fmt: skip


def _staged(
    part: str, document: dict[str, Any], sealed: SealedBatch, name: str, salt: str, encoding: str
) -> StagedPart:
    """A part's rows as ``PartImporter.upsert`` would stage them, or the refusal its checks
    raise. Errors that are not refusals (rows of the wrong shape met by the prefixes, a value
    the formatter cannot take) go up: the import meets them itself."""
    erased: list[Any] = []
    if part == "participants":  # as ``importer._import_in`` does before the upsert
        erased = erased_sources(document)
        document = with_prefixes(document, salt)
    columns, rows = list(document["columns"]), document["rows"]
    try:
        check_part(part, columns, rows, name)
        if rows:
            check_own_keys(part, sealed.post_code, columns, rows, name)
    except UserError as error:
        return StagedPart(columns, len(rows), b"", refused=error, erased=erased)
    return StagedPart(columns, len(rows), _copy_text(rows, encoding), erased=erased)


def _staged_audit(
    document: dict[str, Any], post_code: str, name: str, encoding: str
) -> StagedAudit | None:
    """The history part as ``audit.import_audit`` would write it, staged (``StagedAudit``);
    None when anything but the time window could refuse it, or it has no entry: the import
    then meets that itself, in the order it checks."""
    try:
        entries = audit_rows(post_code, document, name, None)  # the change number: its turn's
        if not entries:
            return None
        at = document["columns"].index("at")
        moments = [row[at] for row in document["rows"]]
        text = _copy_text([stored_audit_row(values) for values in entries], encoding)
        if not text.endswith(b"\n"):  # every line ended: the import puts its number after each
            return None
    except Exception:  # a refusal, or a value the formatter cannot take: the import's to meet
        return None
    return StagedAudit(list(entries[0]), text, min(moments), max(moments))


def _copy_text(rows: list[list[Any]], encoding: str) -> bytes:
    """The rows in COPY's text format, by the formatter ``cursor.copy().write_row`` uses, with
    the driver's own adapters for Python's types (what the program's connections use for them:
    SQLAlchemy adds loaders and JSON dumpers only)."""
    from psycopg._copy_base import TextFormatter
    from psycopg.adapt import Transformer

    formatter = TextFormatter(Transformer(), encoding=encoding)
    chunks = [bytes(formatter.write_row(row)) for row in rows]
    chunks.append(bytes(formatter.end()))
    return b"".join(chunks)


def _work() -> int:
    """The second process: tasks from stdin until it closes, each result to stdout."""
    tasks, results = pipes.in_child()
    setup = pipes.receive(tasks)
    if setup is None:
        return 0
    public, private, encoding = setup
    keys = BranchKeys(public, X25519PrivateKey.from_private_bytes(private), None)  # type: ignore[arg-type]
    while (task := pipes.receive(tasks)) is not None:
        try:
            data = Path(task).read_bytes()
        except OSError:
            pipes.send(results, ("done", None))  # the import says why when the file's turn comes
            continue
        pipes.send(results, ("done", prepare(data, Path(task).name, keys, encoding)))
    return 0


# --- in the importing process -------------------------------------------------------------------


class ReadingAhead:
    """One batch ahead: ``take(i)`` gives what the second process found for file ``i`` (None
    for the first, which nobody read ahead, and after any failure) and sends it file i + 1.

    A thread takes its results off the pipe as they come: the other process never waits for
    this one, busy with its transaction, to read a result of megabytes in pipe-sized pieces."""

    def __init__(self, paths: Sequence[Path], keys: BranchKeys, encoding: str) -> None:
        self.paths = list(paths)
        self.keys = keys
        self.worker: subprocess.Popen[bytes] | None = None
        self.sent: set[int] = set()
        self.inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.drain: threading.Thread | None = None
        try:
            self.worker = pipes.start(__name__)
            assert self.worker.stdin is not None and self.worker.stdout is not None
            self.drain = threading.Thread(
                target=self._drain, args=(self.worker.stdout,), name="read-ahead", daemon=True
            )
            self.drain.start()
            private = keys.encryption.private_bytes_raw()
            pipes.send(self.worker.stdin, (keys.public, private, encoding))
        except OSError:
            self._stop()

    def _drain(self, stream: IO[bytes]) -> None:
        while True:
            try:
                message = pipes.receive(stream)
            except Exception:  # a pipe broken or a result cut short: as if it had died
                message = None
            self.inbox.put(message)
            if message is None:
                return

    def take(self, index: int) -> Prepared | None:
        found = self._receive(index) if index in self.sent else None
        self._submit(index + 1)
        return found

    def _receive(self, index: int) -> Prepared | None:
        if self.worker is None:
            return None
        message = self.inbox.get()
        if not (isinstance(message, tuple) and len(message) == 2 and message[0] == "done"):
            self._stop()  # it died: the import does the rest itself
            return None
        found = message[1]  # None: the file did not open there; the import says why
        if not isinstance(found, Prepared) or found.name != self.paths[index].name:
            return None
        return found

    def _submit(self, index: int) -> None:
        if self.worker is None or index >= len(self.paths):
            return
        try:
            # Its name, not its bytes: the other process reads the file itself (a write of
            # megabytes here waited for it to be scheduled). What it read is used only if it
            # hashes as what the import opens (``part_reader``).
            assert self.worker.stdin is not None
            pipes.send(self.worker.stdin, str(self.paths[index]))
        except OSError:
            self._stop()
            return
        self.sent.add(index)

    def close(self) -> None:
        self._stop()

    def _stop(self) -> None:
        worker, self.worker = self.worker, None
        if worker is None:
            return
        if worker.poll() is None:
            worker.kill()
        worker.wait()
        if self.drain is not None:
            self.drain.join()  # it meets the end of the pipe: the process is gone
        pipes.stop(worker)  # its pipes closed


@contextmanager
def reading_ahead(
    paths: Sequence[Path], folder: DataFolder, encoding: str | None
) -> Iterator[ReadingAhead | None]:
    """A second process reading ahead over ``paths`` (in import order), or None where it would
    not help: one file, or a database that is not PostgreSQL (``encoding`` None: its rows are
    staged by INSERTs, not COPY). Keys that do not load: none either, and the import says why
    when it loads them itself."""
    try:
        keys = branch_keys(folder) if encoding is not None and len(paths) > 1 else None
    except Exception:  # the import meets it itself when it loads them
        keys = None
    # The driver's dumpers write text in the connection's encoding, here without one: UTF-8.
    utf8 = encoding is not None and codecs.lookup(encoding).name == "utf-8"
    if keys is None or encoding is None or not utf8 or not sys.executable:
        yield None
        return
    ahead = ReadingAhead(paths, keys, encoding)
    try:
        yield ahead
    finally:
        ahead.close()


class AheadReader:
    """``PartReader``'s ``read`` and ``optional`` over what was read ahead; the parts it does not
    hold are read here, by a ``PartReader`` made when first needed."""

    def __init__(
        self, prepared: Prepared, sealed: SealedBatch, keys: BranchKeys, name: str
    ) -> None:
        if prepared.opened is not None:
            raise prepared.opened
        self.prepared = prepared
        self.sealed, self.keys, self.name = sealed, keys, name
        self._reader: PartReader | None = None

    def read(self, part: str) -> Any:
        if part in self.prepared.parts:
            return self._found(part)
        return self._here().read(part)

    def optional(self, part: str) -> Any:
        if part in self.prepared.parts:
            return self._found(part)
        return self._here().optional(part)

    def _found(self, part: str) -> Any:
        found = self.prepared.parts[part]
        if isinstance(found, UserError):
            raise found
        return found

    def _here(self) -> PartReader:
        if self._reader is None:
            self._reader = PartReader(self.sealed, self.keys, self.name)
        return self._reader


def part_reader(
    prepared: Prepared | None,
    sealed: SealedBatch,
    keys: BranchKeys,
    name: str,
    encoding: str | None,
) -> PartReader | AheadReader:
    """What was read ahead for this very file (its bytes, its name, the connection's encoding),
    or a plain ``PartReader``."""
    if (
        prepared is not None
        and prepared.file_hash == sealed.file_hash
        and prepared.name == name
        and prepared.encoding == encoding
    ):
        return AheadReader(prepared, sealed, keys, name)
    return PartReader(sealed, keys, name)


if __name__ == "__main__":
    # By its own name: what it pickles must name this module, not ``__main__``.
    from rumah_perisai.branch.ahead import _work as work

    sys.exit(work())


__all__ = ["AheadReader", "Prepared", "ReadingAhead", "part_reader", "prepare", "reading_ahead"]
