"""Making a new file whole or not at all, never over one that is there.

For files written once under a name of their own (a card PDF, the branch's keys): the bytes go
to a temporary name first (``write_new``), synced, and only then get their final name
(``rename_new``), which fails rather than replace a file another run or the user put there.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

from rumah_perisai.errors import UserError
from rumah_perisai.exchange import safe_write


def write_new(path: Path, data: bytes, mode: int = 0o644) -> None:
    """``data`` in a file ``path`` that must not exist yet, synced to the disk."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        view = memoryview(data)
        while view:
            view = view[safe_write.write_chunk(fd, view) :]  # the seam tests fill the disk with
        os.fsync(fd)
    finally:
        os.close(fd)


def rename_new(temporary: Path, final: Path) -> None:
    """Give ``temporary`` the name ``final``; ``FileExistsError`` if something has that name."""
    if os.name == "nt":
        os.rename(temporary, final)  # Windows' rename refuses an existing target
        return
    try:
        os.link(temporary, final)  # POSIX rename would replace; a hard link never does
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links (FAT on a stick)
        if final.exists() or final.is_symlink():
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(final)) from None
        os.rename(temporary, final)
        return
    temporary.unlink()


def read_input_file(
    path: Path, limit: int | None = None, *, too_big: Callable[[int], UserError] | None = None
) -> bytes:
    """The bytes of a file the user named: a regular file (a folder, a device or a pipe is
    refused before it is opened: reading ``/dev/zero`` or a pipe would never end), at most
    ``limit`` bytes (``too_big``: the refusal of a bigger one, given its size)."""
    path = path.expanduser()
    try:
        if path.exists() and not path.is_file():
            raise UserError("input_not_a_file", path=str(path))
        size = path.stat().st_size
        if limit is not None and size > limit:
            if too_big is not None:
                raise too_big(size)
            raise UserError("input_too_big", path=str(path), size=size)
        return path.read_bytes()
    except OSError as error:
        raise UserError("file_unreadable", path=str(path), reason=error.strerror) from error
