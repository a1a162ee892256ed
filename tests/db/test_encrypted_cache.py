"""Issue 16's figures: the encrypted database within 25 % of the plain one (docs/benchmarks.md).

SQLCipher decrypts every page it reads from the file and checks its HMAC; where a plain file's
pages come back from the system's file cache for the price of a copy, each one costs that work
again. A dashboard refresh reads tens of MB of index pages (the 200,000-participant demo's
dashboard index alone is 22 MB), so with SQLite's default cache it was 70-190 % slower
encrypted. The encrypted engine keeps 64 MiB of decrypted pages per connection, and hands out
the connection used last first, whose pages are warm.
"""

from __future__ import annotations

from pathlib import Path

from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder


def test_each_connection_to_the_encrypted_database_keeps_64_mib_of_pages(tmp_path: Path) -> None:
    folder = DataFolder(tmp_path / "post")
    with open_app(folder, folder.sqlite_url) as app, app.db.reading() as session:
        size = session.connection().exec_driver_sql("PRAGMA cache_size").scalar()
    assert size == -64 * 1024  # negative: KiB


def test_the_connection_used_last_is_handed_out_first(tmp_path: Path) -> None:
    folder = DataFolder(tmp_path / "post")
    with open_app(folder, folder.sqlite_url) as app:
        first, second = app.db.engine.raw_connection(), app.db.engine.raw_connection()
        warm = second.driver_connection
        first.close()
        second.close()  # back to the pool last: its pages are the warmest
        again = app.db.engine.raw_connection()
        try:
            assert again.driver_connection is warm
        finally:
            again.close()
