"""Making a new file whole or not at all, never over one that is there.

For files written once under a name of their own (a card PDF, the branch's keys): the bytes go
to a temporary name first (``write_new``), synced, and only then get their final name
(``rename_new``), which fails rather than replace a file another run or the user put there.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

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
