"""The composition root: data folder -> settings -> database -> services.

The command line, the window and the tests all open a post the same way, through ``open_app``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rumah_perisai.config import DataFolder, LocalSettings
from rumah_perisai.db.encrypted import prepare
from rumah_perisai.db.engine import is_folder_database, make_engine
from rumah_perisai.db.migrate import upgrade_to_head
from rumah_perisai.db.uow import Clock, Database, utc_now
from rumah_perisai.presence import Presence
from rumah_perisai.services.restore import finish_interrupted_restore


@dataclass
class App:
    folder: DataFolder
    settings: LocalSettings
    db: Database
    presence: Presence | None = None  # this process has the folder's post open

    def close(self) -> None:
        """Close the database and let go of the folder (a restore may then replace it)."""
        from rumah_perisai.services.access import close_looks

        close_looks(self.db)  # the looks still queued are written first (issue 19)
        self.db.dispose()
        if self.presence is not None:
            self.presence.release()

    def __enter__(self) -> App:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_app(folder: DataFolder, database_url: str, *, clock: Clock = utc_now) -> App:
    """Open (creating if needed) the data folder and database, migrated to the newest schema.

    The folder's own SQLite file is always encrypted (converted first if an older program left
    it plain); another database named with ``--db`` is opened as it is.
    """
    folder.ensure_writable()
    presence = Presence(folder)  # waits while a restore is replacing the folder's files
    try:
        finish_interrupted_restore(folder)  # finished (or undone) before anything opens
        settings = LocalSettings.load(folder)
        key = prepare(folder) if is_folder_database(folder, database_url) else None
        engine = make_engine(database_url, key=key)
    except BaseException:
        presence.release()
        raise
    try:
        upgrade_to_head(engine, backup_dir=folder.backups)
    except BaseException:
        engine.dispose()
        presence.release()
        raise
    db = Database(engine, clock=clock)
    if key is not None:  # the post's own database: erasures it lacks are applied again
        _erasures_again(db, folder, presence)
    return App(folder, settings, db, presence)


def _erasures_again(db: Database, folder: DataFolder, presence: Presence) -> None:
    from rumah_perisai.services.erasure_cleanup import sync_list

    try:
        sync_list(db, folder)
    except BaseException:
        db.dispose()
        presence.release()
        raise
