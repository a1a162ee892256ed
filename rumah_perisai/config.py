"""Where a post keeps its state, and the few settings needed before its database is open.

Everything a post has — database, keys, backups, logs, window state, batches — lives in one data
folder, so one copy of that folder is a complete backup. The folder is, in order of precedence,
``--data-dir``, ``$RUMAH_PERISAI_HOME``, or the platform's user data folder.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from rumah_perisai.errors import UserError

APP_NAME = "rumah-perisai"
DB_FILE_NAME = "rumah-perisai.sqlite3"
ENV_HOME = "RUMAH_PERISAI_HOME"
ENV_DB = "RUMAH_PERISAI_DB"
ENV_LANG = "RUMAH_PERISAI_LANG"
LANGUAGES = ("id", "en")


@dataclass(frozen=True)
class DataFolder:
    """The paths inside one data folder; nothing here touches the disk."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / DB_FILE_NAME

    @property
    def sqlite_url(self) -> str:
        return f"sqlite:///{self.database}"

    @property
    def keys(self) -> Path:
        return self.root / "keys"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def log_file(self) -> Path:
        return self.logs / "rumah-perisai.log"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def batches(self) -> Path:
        return self.root / "batches"

    @property
    def settings_file(self) -> Path:
        return self.root / "settings.json"

    @property
    def window_state(self) -> Path:
        return self.root / "window-state.ini"

    def ensure_writable(self) -> None:
        """Create the folder (and its logs folder) or refuse with a clear reason."""
        try:
            self.logs.mkdir(parents=True, exist_ok=True)
            # A probe of its own: the window and a command may start at the same moment, and a
            # shared name let one remove the other's probe before it did.
            handle, probe = tempfile.mkstemp(prefix=".write-test-", dir=self.root)
            os.close(handle)
            os.unlink(probe)
        except OSError as exc:
            raise UserError(
                "data_dir_unwritable", path=str(self.root), reason=exc.strerror or str(exc)
            ) from exc


def default_data_dir(*, demo: bool = False) -> Path:
    name = "rumah-perisai-demo" if demo else APP_NAME
    return Path(platformdirs.user_data_dir(name, appauthor=False, roaming=True))


def resolve_data_folder(
    data_dir: str | None, *, demo: bool = False, environ: dict[str, str] | None = None
) -> DataFolder:
    """``--data-dir`` wins, then ``$RUMAH_PERISAI_HOME``, then the platform folder.

    A demo post (``--demo`` without ``--data-dir``) gets a folder of its own so it never mixes
    with a real post.
    """
    env = os.environ if environ is None else environ
    if data_dir:
        return DataFolder(Path(data_dir).expanduser().resolve())
    if demo:
        return DataFolder(default_data_dir(demo=True))
    if env.get(ENV_HOME):
        return DataFolder(Path(env[ENV_HOME]).expanduser().resolve())
    return DataFolder(default_data_dir())


def resolve_database_url(
    folder: DataFolder, db: str | None, environ: dict[str, str] | None = None
) -> str:
    """``--db`` wins, then ``$RUMAH_PERISAI_DB``, then the folder's embedded SQLite file.

    ``DATABASE_URL`` is deliberately *not* read here: only the test suite reads it.
    """
    env = os.environ if environ is None else environ
    return db or env.get(ENV_DB) or folder.sqlite_url


@dataclass
class LocalSettings:
    """Settings read before the database opens, so errors opening it use the right language."""

    language: str = "id"

    @classmethod
    def load(cls, folder: DataFolder, environ: dict[str, str] | None = None) -> LocalSettings:
        env = os.environ if environ is None else environ
        settings = cls()
        try:
            raw = json.loads(folder.settings_file.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):  # a damaged file: the defaults
            raw = {}
        if isinstance(raw, dict) and raw.get("language") in LANGUAGES:
            settings.language = raw["language"]
        if env.get(ENV_LANG) in LANGUAGES:
            settings.language = env[ENV_LANG]
        return settings

    def save(self, folder: DataFolder) -> None:
        if self.language not in LANGUAGES:
            raise UserError(
                "unknown_language", language=self.language, choices=", ".join(LANGUAGES)
            )
        tmp = folder.settings_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"language": self.language}, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, folder.settings_file)
