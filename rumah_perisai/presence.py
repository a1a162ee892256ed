"""Which processes have a data folder's post open, so a restore never swaps files under one.

Every process that opens the post holds a shared lock on the folder's ``.in-use`` file for as long
as it has it open; a restore takes the same lock exclusively, and so waits for none and is
refused while the post is open elsewhere (another window, a command still running). The locks are
SQLite's own on a tiny empty database: the same on Windows and Linux, and let go by the system
when a process dies, so a killed window never blocks a restore.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from rumah_perisai.config import DataFolder
from rumah_perisai.errors import UserError

IN_USE_FILE = ".in-use"
# How long opening the post waits for a restore in progress before saying the post is busy.
OPEN_WAIT_S = 30.0
RESTORE_WAIT_S = 1.0


class Presence:
    """This process has the folder's post open (a shared lock until ``release``)."""

    def __init__(self, folder: DataFolder) -> None:
        self._connection: sqlite3.Connection | None = _connect(folder, OPEN_WAIT_S)
        try:
            self._connection.execute("BEGIN")
            self._connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as error:
            self.release()
            raise UserError("post_being_restored") from error

    def release(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


@contextmanager
def sole_user(folder: DataFolder) -> Iterator[None]:
    """Hold the folder alone (a restore); ``post_in_use`` while another process has it open."""
    connection = _connect(folder, RESTORE_WAIT_S)
    try:
        try:
            connection.execute("BEGIN EXCLUSIVE")
        except sqlite3.OperationalError as error:
            raise UserError("post_in_use") from error
        yield
    finally:
        connection.close()


def _connect(folder: DataFolder, timeout: float) -> sqlite3.Connection:
    folder.root.mkdir(parents=True, exist_ok=True)
    return sqlite3.connect(folder.root / IN_USE_FILE, timeout=timeout, isolation_level=None)
