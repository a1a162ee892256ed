"""Make ``by-old-code/<rev>.sqlite3``: each released schema revision's database, made by the
program of that time.

For every revision the program is checked out as it was when that revision was the newest (the
commit below, on ``main``'s own line of history), and that program itself makes a small post in a
plain SQLite file: ``init`` at 0001 (a post could not register anyone yet), ``demo --participants
12`` from 0002 on (the demo of that time fills what the program could then record: receipts from
0005, calls from 0006, batches from 0008…). Its own migrations made the tables, so the file is
what a post of that time really had, not a reconstruction.

    .venv/bin/python tests/data/migrations/make_by_old_code.py          # write missing files
    .venv/bin/python tests/data/migrations/make_by_old_code.py --force  # write them all again

Needs the repository's history (``git worktree``) and today's virtual environment: the old
code runs with this interpreter and its libraries (``PYTHONPATH`` puts the old package first).
A file already here is never remade unless asked.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "by-old-code"
ROOT = HERE.parent.parent.parent

# The last commit on main's first-parent line at which each revision was the newest. 0013 never
# was on main by itself (0013 and 0014 were merged together): its file is made by the commit
# that added it, on its own branch.
COMMITS = {
    "0001": "205f916a84be79e36192b9c0778b82dc57f3d6b7",
    "0002": "464350c3405dbbc75f69fa280624eab228ef6c06",
    "0003": "f70a0d159d63007910cb2abd4f8bad9dcd85cfe2",
    "0004": "4667e011d277c5a2f1c139dfa402a2dc2864e690",
    "0005": "39aaed9cbc321d0b1f8a1adea1fe37466d5af7c1",
    "0006": "839149321ada73604ad02ea8eace4607b82d8794",
    "0007": "257dec48ac839953c3ede93bc02dfb80a5b37ac3",
    "0008": "93641119cc27db0d78228bee52c8429792f7ec48",
    "0009": "5c15d3f0ff79468984f47ca036c30252d055e6aa",
    "0010": "c39f95d83edb6e475e0bdbba85be97f8d158d3f3",
    "0011": "3d59fd81f243ba04b1bca7e141d2bf7ac889e0c2",
    "0013": "63a227f",
    "0014": "33ecfca6f9fad87244eb108fc2da55e55fba02ad",
    "0015": "9ee18fa62fc16a5741b34128e8608c3e3aac1c88",
    "0016": "591a79a8fd5e212b746aed8deb0534c2ae755629",
    "0017": "0f08d9f712bf6655f7e45a15e459c43b9e90d6bb",
    "0018": "4e3e888c15701e3c56d27d9b09195ca570d28115",
    "0019": "850c08dc3258098cac5b1a41fd7122a68859083f",
}
FIRST_WITH_DEMO = "0002"


def _run_old(tree: Path, work: Path, args: list[str], stdin: str = "") -> None:
    database = work / "post.sqlite3"
    command = [sys.executable, "-m", "rumah_perisai", "--data-dir", str(work / "data")]
    command += ["--db", f"sqlite:///{database.as_posix()}", *args]
    env = {"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "HOME": str(work)}
    env["RUMAH_PERISAI_KEY_STORE"] = "file"  # no OS key store asked (the newer programs)
    subprocess.run(command, input=stdin, text=True, env=env, check=True, cwd=work)


def make(revision: str, commit: str, target: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        tree = work / "program"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), commit],
            check=True,
        )
        try:
            if revision < FIRST_WITH_DEMO:
                _run_old(tree, work, ["init", "--post-code", "PRS3209", "--post-name",
                         "Rumah Perisai Desa Contoh", "--kabupaten", "32.09",
                         "--coordinator", "Euis Komalasari"], stdin="1357\n1357\n")  # fmt: skip
            else:
                _run_old(tree, work, ["demo", "--participants", "12", "--seed", "3"])
            _shrink(work / "post.sqlite3", target)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True
            )


def _shrink(source: Path, target: Path) -> None:
    """One file (no -wal beside it), pages of 512 bytes: a tenth of the size with 4 KiB."""
    connection = sqlite3.connect(source, isolation_level=None)
    try:
        (found,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        if found != target.stem:
            raise SystemExit(f"{target.stem}: the program of that time made {found}")
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute("PRAGMA page_size = 512")
        connection.execute("VACUUM")
        connection.execute(f"VACUUM INTO '{target.as_posix()}'")
    finally:
        connection.close()


def main(force: bool) -> None:
    OUT.mkdir(exist_ok=True)
    for revision, commit in COMMITS.items():
        target = OUT / f"{revision}.sqlite3"
        if target.exists() and not force:
            continue
        make(revision, commit, target)
        print(target.relative_to(ROOT), target.stat().st_size)


if __name__ == "__main__":
    main(force="--force" in sys.argv[1:])
