"""The pipes between an import and the processes that help it (``ahead``, ``ack_process``).

A helper is started as ``python -m`` its module, as ``services.chain_ranges`` starts its own:
spawn would import the program's main script again (the Windows launcher runs the command at
import). Messages go to its stdin and come from its stdout, each a length and a pickle. Only
this program writes them, to a child it started, so unpickling them is no wider door than the
child itself; a message cut short is an ``EOFError``, the end of the stream None.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from contextlib import suppress
from typing import IO, Any

_LENGTH = 8


def start(module: str) -> subprocess.Popen[bytes]:
    """``module`` run as a helper process, its stderr thrown away (nothing it prints may reach
    a person or a log: it handles personal data) and no console window on Windows."""
    return subprocess.Popen(
        [sys.executable, "-m", module],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
    )


def send(stream: IO[bytes], value: object) -> None:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(payload).to_bytes(_LENGTH, "big"))
    stream.write(payload)
    stream.flush()


def receive(stream: IO[bytes]) -> Any:
    """The next message, or None at the end of the stream."""
    head = stream.read(_LENGTH)
    if len(head) < _LENGTH:
        return None
    size = int.from_bytes(head, "big")
    payload = stream.read(size)
    if len(payload) != size:
        raise EOFError("message cut short")
    return pickle.loads(payload)  # written by this program, in the child it started


def in_child() -> tuple[IO[bytes], IO[bytes]]:
    """The child's ends of its pipes (tasks in, results out). Python's own stdout is pointed at
    stderr: nothing printed by accident may break the stream of results."""
    tasks, results = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr
    return tasks, results


def stop(worker: subprocess.Popen[bytes], grace: float = 0) -> None:
    """The helper stopped, waited for, and its pipes closed. With ``grace``, its stdin is
    closed first and it is given that many seconds to end by itself (closing what it holds: a
    database connection cut by a kill is logged by the server); then, or at once, killed."""
    if grace and worker.stdin is not None:
        with suppress(OSError):
            worker.stdin.close()
        with suppress(subprocess.TimeoutExpired):
            worker.wait(timeout=grace)
    if worker.poll() is None:
        worker.kill()
    worker.wait()
    for stream in (worker.stdin, worker.stdout):
        if stream is not None:
            with suppress(OSError):  # a pipe the process left broken: nothing to say
                stream.close()


__all__ = ["in_child", "receive", "send", "start", "stop"]
