"""Logging goes to the data folder's log file, never to the terminal."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

_HANDLER_NAME = "rumah-perisai"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(log_file: Path | None, *, level: int = logging.INFO) -> None:
    """Send everything to ``log_file`` (rotated at 2 MB, 5 kept); with no file, drop it.

    Called once per process by the command line; tests leave logging to pytest.
    """
    root = logging.getLogger()
    for old in list(root.handlers):
        if old.get_name() == _HANDLER_NAME:
            root.removeHandler(old)
            old.close()
    if log_file is None:
        handler: logging.Handler = logging.NullHandler()
    else:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter(_FORMAT))
    handler.set_name(_HANDLER_NAME)
    root.addHandler(handler)
    root.setLevel(level)
    # Alembic announces every plugin it loads at INFO on each start; only its warnings matter.
    logging.getLogger("alembic").setLevel(logging.WARNING)
