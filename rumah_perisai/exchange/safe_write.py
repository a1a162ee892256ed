"""Writing a file to a USB stick so that a file under its final name is always whole.

``stage`` writes the bytes under a temporary name (``.<name>.partial``), flushes them to the
device, asks the system to forget its cached copy, reads them back and compares; only
``Staged.publish`` gives the file its final name (an atomic rename), and syncs the folder so the
rename itself survives the stick being pulled out. A stick that is full, read-only or pulled out
mid-write leaves at most a ``.partial`` file, never a file under the final name.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rumah_perisai.errors import UserError

PARTIAL_SUFFIX = ".partial"
_CHUNK = 1 << 20

# Reasons for the message, by errno: what a volunteer can do about each.
_REASONS = {
    errno.ENOSPC: "full",
    errno.EDQUOT: "full",
    errno.EROFS: "read_only",
    errno.EACCES: "read_only",
    errno.EPERM: "read_only",
    errno.EIO: "gone",
    errno.ENODEV: "gone",
    errno.ENXIO: "gone",
    errno.ENOENT: "gone",
}


def write_failed(directory: Path, error: OSError, *, computer: bool = False) -> UserError:
    """What the user reads when writing to ``directory`` failed. ``computer``: the folder is on
    this computer's own disk (the data folder), never to be called "the stick"."""
    reason = _REASONS.get(error.errno or 0, "other")
    detail = error.strerror or str(error)
    if computer:
        if reason == "full":
            return UserError("computer_disk_full", path=str(directory))
        return UserError("write_failed_other", path=str(directory), detail=detail)
    return UserError(f"write_failed_{reason}", path=str(directory), detail=detail)


def partial_name(name: str) -> str:
    return f".{name}{PARTIAL_SUFFIX}"


@dataclass
class Staged:
    """A file written and checked under its temporary name, waiting for ``publish``."""

    directory: Path
    name: str
    temporary: Path
    computer: bool = False  # on this computer's own disk, not a stick

    @property
    def final(self) -> Path:
        return self.directory / self.name

    def publish(self) -> Path:
        try:
            os.replace(self.temporary, self.final)
            sync_directory(self.directory)
        except OSError as error:
            self.discard()
            raise write_failed(self.directory, error, computer=self.computer) from error
        return self.final

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.temporary.unlink()


def stage(
    directory: Path,
    name: str,
    data: bytes,
    check: Callable[[bytes], None] | None = None,
    *,
    computer: bool = False,
) -> Staged:
    """Write ``data`` under a temporary name in ``directory``, synced, read back and checked.

    ``check`` is called on the bytes read back (e.g. the batch format's own check); anything it
    raises removes the temporary file and propagates. A file already under the final name is
    never replaced unless it holds exactly these bytes (``UserError("file_exists_different")``).
    ``computer``: ``directory`` is on this computer's own disk (failures are not the stick's).
    """
    final = directory / name
    if final.exists() and not same_bytes(final, data):
        raise UserError("file_exists_different", path=str(final))
    temporary = directory / partial_name(name)
    staged = Staged(directory, name, temporary, computer)
    try:
        _write_synced(temporary, data)
        back = _read_uncached(temporary)
    except OSError as error:
        staged.discard()
        raise write_failed(directory, error, computer=computer) from error
    if back != data:
        staged.discard()
        raise UserError("write_failed_mismatch", path=str(directory))
    if check is not None:
        try:
            check(back)
        except BaseException:
            staged.discard()
            raise
    return staged


def write_file(directory: Path, name: str, data: bytes, *, computer: bool = False) -> Path:
    """``stage`` then ``publish``: for files nothing else has to be committed between."""
    return stage(directory, name, data, computer=computer).publish()


def _write_synced(path: Path, data: bytes) -> None:
    # O_EXCL is not used: a .partial left by a killed writer is ours to replace.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o644)
    try:
        view = memoryview(data)
        while view:
            written = write_chunk(fd, view[:_CHUNK])
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)


def write_chunk(fd: int, chunk: memoryview) -> int:
    """One ``os.write``; a seam the tests use to make a stick fill up or vanish mid-write."""
    return os.write(fd, chunk)


def _read_uncached(path: Path) -> bytes:
    """Read the file back from the device rather than from the system's memory, where it can."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        if hasattr(os, "posix_fadvise"):
            # After the fsync the cached pages are clean, so this drops them: the read below
            # comes from the stick itself.
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        chunks = []
        while chunk := os.read(fd, _CHUNK):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def sync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable (POSIX; Windows journals its renames)."""
    if os.name != "posix":
        return  # Windows has no directory handles to sync; its rename is already durable
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_file(path: Path) -> None:
    """Flush a closed file to the disk. Through a writable handle: Windows flushes a file
    (FlushFileBuffers) only through one and refuses a read-only one ("Permission denied";
    found under Wine)."""
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
