"""Make the database files of every released schema revision (``<rev>.sqlite3``).

Each file is a small demo post (a dozen participants with their receipts, voids, cash closes and
calls), made with today's services at the newest schema and then taken down with Alembic's own
downgrades to revision ``<rev>``: its tables and rows have exactly that revision's shape. The
files are made once and kept; ``tests/db/test_migration_fixtures.py`` upgrades copies of them.

    .venv/bin/python tests/data/migrations/make_fixtures.py          # write missing files
    .venv/bin/python tests/data/migrations/make_fixtures.py --force  # write them all again

A file already here is never remade unless asked: it stands for what a post of that time has.
Add the file of the revision a release leaves behind when a new migration comes.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent.parent))

from alembic.script import ScriptDirectory  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402

from rumah_perisai.app import open_app  # noqa: E402
from rumah_perisai.config import DataFolder  # noqa: E402
from rumah_perisai.db.migrate import alembic_config, downgrade_to  # noqa: E402
from rumah_perisai.demo import DemoRequest, create_demo_post  # noqa: E402

MADE_ON = date(2026, 11, 27)


def released_revisions() -> list[str]:
    """Every revision but the newest, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    ordered = [r.revision for r in reversed(list(script.walk_revisions()))]
    return ordered[:-1]


def _populated(work: Path) -> Path:
    """A demo post at the newest schema in a plain SQLite file."""
    database = work / "post.sqlite3"
    url = f"sqlite:///{database.as_posix()}"
    app = open_app(
        DataFolder(work / "data"), url, clock=lambda: datetime(2026, 11, 27, 3, tzinfo=UTC)
    )
    try:
        create_demo_post(
            app.db, app.folder, DemoRequest(participants=12), "cli:demo", today=MADE_ON
        )
    finally:
        app.close()
    return database


def _downgraded(source: Path, revision: str, target: Path) -> None:
    shutil.copyfile(source, target)
    # Foreign keys off, as an old program's batch-mode table copies need (make_engine turns
    # them on): a copy of a table others refer to would otherwise be refused.
    engine = create_engine(f"sqlite:///{target.as_posix()}")
    try:
        downgrade_to(engine, revision)
    finally:
        engine.dispose()
    # One file (no -wal beside it), in pages of 512 bytes: each of the hundred-odd tables and
    # indexes takes a page of its own, so the file is a tenth of its size with 4 KiB pages.
    connection = sqlite3.connect(target, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute("PRAGMA page_size = 512")
        connection.execute("VACUUM")
    finally:
        connection.close()


def main(force: bool) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        source = _populated(work)
        for revision in reversed(released_revisions()):
            target = HERE / f"{revision}.sqlite3"
            if target.exists() and not force:
                continue
            _downgraded(source, revision, target)
            print(target.relative_to(HERE.parent.parent.parent), target.stat().st_size)


if __name__ == "__main__":
    main(force="--force" in sys.argv[1:])
