"""An import run's ACKs written by a process of their own (issue 21).

In a run of many batches into PostgreSQL each batch's ACK is made while the next batch's
statements run (``importer._AckWriting``). Made on a thread, it held Python's interpreter
~7 s of a week's 400 batches — its ~11 reads, the ~20,000 prefixes written twice, the
signature — and the import's own thread, whose every statement comes back to wait for the
interpreter, waited that long again. Here a second process makes and writes each ACK instead
(``acks.write_ack``, the very function, on a database connection of its own), and the thread
only waits on its pipe.

Nothing changes in what is written or when: the task for a batch's ACK is sent after that
batch committed, and the run waits for its answer before the next batch commits (``_Run``),
so the process reads what the thread would have read. It keeps the run's prefixes
(``acks.RunPrefixes``) for the ACKs it makes.

A process that cannot start, dies, answers anything but the ACK's path, or fails to make one
(the stick pulled, the database gone) leaves that ACK and every later one of the run to the
import (``write_ack`` on the thread, as before): whatever went wrong, the import meets it
itself and says it as it always did. What a process killed mid-write left of that ACK (its
temporary files) is removed; that it stopped is logged, with its exit code only.

The branch's signing key goes through the pipe, as the read-ahead's encryption key does
(``ahead``); the database's address too, password included.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from rumah_perisai.branch import pipes
from rumah_perisai.branch.acks import RunPrefixes, write_ack
from rumah_perisai.config import DataFolder
from rumah_perisai.db.uow import Database
from rumah_perisai.exchange.ack import ack_file_name
from rumah_perisai.keys.files import BranchKeys

# The files a run has before its ACKs get a process: its start is ~0.7 s of processor and the
# run's first ACK waits ~0.9 s for it, against ~10-20 ms of the import's time saved an ACK (a
# week of 400 batches: ~4 s). A run of a few files (most tests' too) writes them on the thread.
ACK_PROCESS_FROM = 50

log = logging.getLogger(__name__)


class AckProcess:
    """The process writing a run's ACKs; ``write`` is called by one thread at a time (the run's
    ACK writing, one ACK after another)."""

    def __init__(self, db: Database, folder: DataFolder, keys: BranchKeys) -> None:
        self.kept = folder.root / "acks"  # where the branch keeps its copy of each ACK
        self.worker: subprocess.Popen[bytes] | None = None
        self._closing = threading.Lock()  # the writing thread's failure, the run's end
        try:
            self.worker = pipes.start(__name__)
            assert self.worker.stdin is not None
            url = db.engine.url.render_as_string(hide_password=False)
            setup = (url, str(folder.root), keys.public, keys.signing.private_bytes_raw())
            pipes.send(self.worker.stdin, setup)
        except Exception as error:  # not started, or not told what to do: the thread writes
            log.warning("the ACK process did not start (%s); the import writes the ACKs",
                        type(error).__name__)  # fmt: skip
            self.close()

    def write(
        self, here: Callable[[], Path], post_id: int, seq: int, directory: Path, batch_name: str
    ) -> Path:
        """The ACK of batch ``seq`` of the post, written by the process into ``directory``
        (beside ``batch_name``) as ``acks.write_ack`` writes it; where it could not, by
        ``here`` (that very ``write_ack``, in this process)."""
        worker = self.worker
        if worker is not None:
            expected = str(directory / ack_file_name(batch_name))
            try:
                assert worker.stdin is not None and worker.stdout is not None
                pipes.send(worker.stdin, (post_id, seq, str(directory), batch_name))
                message = pipes.receive(worker.stdout)
            except Exception:  # a broken pipe, a message cut short or not one of ours
                message = None
            if message == ("written", expected):
                return Path(expected)
            # It failed, or died: this ACK and the rest are written here. Whatever it left of
            # this one half-written (killed between its write and its rename) goes.
            self.close()
            log.warning("the ACK process stopped (exit code %s); the import writes the ACKs",
                        worker.returncode)  # fmt: skip
            name = Path(expected).name
            _forget_partials(worker.pid, name, (directory, self.kept))
        return here()

    def close(self) -> None:
        """The process told to end (its stdin closed) and given a moment to close its
        connection; killed if it does not."""
        with self._closing:
            worker, self.worker = self.worker, None
            if worker is not None:
                pipes.stop(worker, grace=5)


def _forget_partials(pid: int, name: str, folders: Iterable[Path]) -> None:
    """The temporary files the process ``pid`` was writing the ACK ``name`` into
    (``acks.replace_file``'s ``.<name>.<pid>-<random>.partial``), removed. Compared as names,
    not a pattern: a batch's name comes from the stick."""
    start, end = f".{name}.{pid}-", ".partial"
    for folder in folders:
        with suppress(OSError):
            for path in folder.iterdir():
                if path.name.startswith(start) and path.name.endswith(end):
                    path.unlink(missing_ok=True)


@contextmanager
def writing_acks(
    db: Database, folder: DataFolder, keys: BranchKeys | None, files: int
) -> Iterator[AckProcess | None]:
    """The ACK process of a run of ``files``, or None: a run too short for it to pay
    (``ACK_PROCESS_FROM``), no keys (the import loads them itself and says why) or no program
    to start it with."""
    if files < ACK_PROCESS_FROM or keys is None or not sys.executable:
        yield None
        return
    process = AckProcess(db, folder, keys)
    try:
        yield process
    finally:
        process.close()


# --- in the second process ----------------------------------------------------------------------


def _work() -> int:
    """ACKs asked for on stdin, one at a time, each answered with its path on stdout; anything
    that goes wrong is answered ``failed``, and the process ends (the import takes over)."""
    from rumah_perisai.db.engine import make_engine

    tasks, results = pipes.in_child()
    setup = pipes.receive(tasks)
    if setup is None:
        return 0
    url, root, public, signing = setup
    keys = BranchKeys(public, None, Ed25519PrivateKey.from_private_bytes(signing))  # type: ignore[arg-type]
    folder = DataFolder(Path(root))
    db = Database(make_engine(url))
    prefixes = RunPrefixes()
    try:
        while (task := pipes.receive(tasks)) is not None:
            post_id, seq, directory, name = task
            try:
                path = write_ack(db, folder, keys, post_id, seq, Path(directory), name, prefixes)
            except Exception:  # the import writes it itself, and says what went wrong
                pipes.send(results, ("failed", None))
                return 1
            pipes.send(results, ("written", str(path)))
    finally:
        db.dispose()
    return 0


if __name__ == "__main__":
    # By its own name, as ``ahead`` runs: the classes it pickles name their modules.
    from rumah_perisai.branch.ack_process import _work as work

    sys.exit(work())


__all__ = ["ACK_PROCESS_FROM", "AckProcess", "writing_acks"]
