"""Found by a fresh-eyes review of issue 14's command line: three `branch init` at once leave
matching keys or none; a log that cannot be written never prints on the terminal; an empty
``--data-dir`` (a script's unset ``$DIR``) is wrong usage, never the real post."""

from __future__ import annotations

import io
import logging
import multiprocessing
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rumah_perisai.cli import main
from rumah_perisai.config import DataFolder
from rumah_perisai.keys.files import load_branch_keys
from rumah_perisai.logs import configure_logging
from tests.test_cli import run


def _exit_with_main(argv: list[str]) -> None:
    """A forked child: the command as ``python -m rumah_perisai`` runs it, its code its exit."""
    sys.exit(main(argv, out=io.StringIO(), err=io.StringIO()))


def _started(argv: list[str]) -> Any:
    """The command started in a child process: forked where the machine forks, with the program
    imported already (a ``python -m`` start imports it again: half of each child's processor
    time); elsewhere (Windows) ``python -m rumah_perisai``, as the program starts there."""
    if "fork" in multiprocessing.get_all_start_methods():
        process = multiprocessing.get_context("fork").Process(target=_exit_with_main, args=(argv,))
        process.start()
        return process
    return subprocess.Popen(
        [sys.executable, "-m", "rumah_perisai", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _exit_code(process: Any) -> int | None:
    if isinstance(process, subprocess.Popen):
        return process.wait(60)
    process.join(60)
    return process.exitcode  # type: ignore[no-any-return]


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() in a threaded test process
def test_three_branch_inits_at_once_leave_one_whole_set_of_keys(tmp_path: Path) -> None:
    """Bounded: 4 rounds of 3 processes at once."""
    for round_ in range(4):
        folder = tmp_path / f"b{round_}"
        argv = ["--data-dir", str(folder), "branch", "init", "--demo"]
        runs = [_started(argv) for _ in range(3)]
        codes = [_exit_code(process) for process in runs]
        assert codes.count(0) >= 1, codes  # one made them; the others were told they exist
        keys = load_branch_keys(DataFolder(folder).keys)  # and they belong together
        assert keys.public.demo
        leftovers = [p.name for p in DataFolder(folder).keys.iterdir() if p.name.startswith(".")]
        assert leftovers == []


class _FullDisk:
    def write(self, _text: str) -> int:
        raise OSError(28, "No space left on device")

    def flush(self) -> None:
        pass

    def seek(self, *_args: object) -> int:
        return 0

    def tell(self) -> int:
        return 0

    def close(self) -> None:
        pass


def test_a_log_that_cannot_be_written_never_reaches_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log_file = tmp_path / "logs" / "rumah-perisai.log"
    configure_logging(log_file)
    try:
        handler = next(h for h in logging.getLogger().handlers if h.get_name())
        assert isinstance(handler, logging.StreamHandler)
        handler.stream.close()
        handler.stream = _FullDisk()  # every write fails, as on a full disk
        logging.getLogger("rumah_perisai.test").warning("a record that cannot be written")
    finally:
        configure_logging(None)
    assert capsys.readouterr().err == ""


def test_an_empty_data_dir_is_wrong_usage_and_touches_no_folder(tmp_path: Path) -> None:
    code, out, err = run("--data-dir", "", "info")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "--data-dir" in err
