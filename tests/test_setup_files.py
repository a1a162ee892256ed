"""The README's promises: CI runs exactly the README's test command; entry points exist."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(python3 -m venv[^\n]*)\n```", readme)


def test_readme_has_the_launch_and_the_test_command() -> None:
    launch, test = _readme_commands()
    assert launch.endswith(".venv/bin/rumah-perisai")
    assert test.endswith(".venv/bin/pytest")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _readme_commands()[1] in ci


def test_console_and_gui_entry_points() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"] == {"rumah-perisai": "rumah_perisai.cli:main"}
    assert project["gui-scripts"] == {"rumah-perisai-gui": "rumah_perisai.cli:gui_main"}
    assert "test" in project["optional-dependencies"]
