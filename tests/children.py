"""A child process running a ``python -c`` script of a test, to be killed at a chosen moment
(the kill loops: kill -9 mid-backup, mid-restore, mid-conversion).

Where the machine forks (Linux, CI) the child is forked from the test with the program already
imported, and runs the same script text (its argv set, its printed lines into a pipe): a
``python -c`` start imports the program again, ~0.5 s of processor a kill, and a kill at a
fixed moment would mostly land in Python's start. Elsewhere (Windows) it is ``python -c``, as
the program starts there. A script prints "ready" when its work begins."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _run_script(script: str, args: tuple[str, ...], out: int) -> None:
    """A forked child: ``script`` as ``python -c`` runs it, its printed lines into ``out``."""
    sys.argv = ["-c", *args]
    sys.stdout = os.fdopen(out, "w")
    exec(compile(script, "<child>", "exec"), {"__name__": "__main__"})


class Child:
    """A child running ``script`` with ``args``, started and past its "ready" line."""

    def __init__(self, script: str, *args: str) -> None:
        self.process: Any
        self.errors = None
        if "fork" in multiprocessing.get_all_start_methods():
            read, write = os.pipe()
            context = multiprocessing.get_context("fork")
            self.process = context.Process(target=_run_script, args=(script, args, write))
            self.process.start()
            os.close(write)
            self.lines = os.fdopen(read)
        else:
            self.process = subprocess.Popen(
                [sys.executable, "-c", script, *args],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=dict(os.environ),
            )
            self.lines, self.errors = self.process.stdout, self.process.stderr
        line = self.readline()
        assert line == "ready\n", line

    def readline(self) -> str:
        line = str(self.lines.readline())
        if line or self.errors is None:
            return line or "(the child ended)"
        return str(self.errors.read())

    def wait(self) -> int | None:
        """The child's exit code once it has ended by itself."""
        if isinstance(self.process, subprocess.Popen):
            code = self.process.wait()
        else:
            self.process.join()
            code = self.process.exitcode
        self.close()
        return code

    def kill(self) -> None:
        self.process.kill()  # SIGKILL on POSIX, TerminateProcess on Windows: nothing runs after
        if isinstance(self.process, subprocess.Popen):
            self.process.wait()
        else:
            self.process.join()
        self.close()

    def close(self) -> None:
        for stream in (self.lines, self.errors):
            if stream is not None:
                stream.close()


def kill_after(child: Child, after: float) -> None:
    time.sleep(after)
    child.kill()
