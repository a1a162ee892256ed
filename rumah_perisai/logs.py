"""Logging goes to the data folder's log file, never to the terminal, and never carries personal
data: refusals are logged by their message key (``describe_refusal``), and whatever else reaches
the file (a traceback quoting a value) has its NIKs and phone numbers masked (``_Redacting``)."""

from __future__ import annotations

import logging
import logging.handlers
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_HANDLER_NAME = "rumah-perisai"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Sixteen digits standing alone (a NIK), and an Indonesian mobile number (08…, 628…, +62 8…,
# with or without spaces and dashes between its groups).
_NIK = re.compile(r"(?<![0-9])[0-9]{16}(?![0-9])")
_PHONE = re.compile(r"(?<![0-9])(?:\+?62|0)[ -]?8[0-9](?:[ -]?[0-9]){6,11}(?![0-9])")


# PostgreSQL quotes values in an error's DETAIL: a whole failing row (a NOT NULL or CHECK
# broken: name, street, heir ...) or a key's values (a unique key broken). A traceback of
# such a bug would carry them into the crash report; the columns named stay, the values go.
_FAILING_ROW = re.compile(r"(Failing row contains )\(.*?\)(?=\.?\s*$)", re.MULTILINE)
_KEY_VALUES = re.compile(r"(Key \([^)]*\)=)\(.*?\)(?= already exists| is not present|\s*$)")


def redact(text: str) -> str:
    text = _KEY_VALUES.sub(r"\1(…)", _FAILING_ROW.sub(r"\1(…)", text))
    return _PHONE.sub("[telepon]", _NIK.sub("[NIK]", text))


class _Redacting(logging.Formatter):
    """Masks NIKs and phone numbers in the whole record, traceback included."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _QuietRotatingFile(logging.handlers.RotatingFileHandler):
    """A log that cannot be written (a full disk; on Windows, a rotation while the window holds
    the file open) loses that record, never prints a traceback on the user's terminal: the
    command still says its one line and exits as it would."""

    def handleError(self, record: logging.LogRecord) -> None:
        return

    def shouldRollover(self, record: logging.LogRecord) -> int:
        try:
            return super().shouldRollover(record)
        except OSError:
            return 0


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
        # backslashreplace: a value that is not valid text is logged escaped, never lost with
        # a "Logging error" on the terminal.
        handler = _QuietRotatingFile(
            log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8", errors="backslashreplace"
        )
        handler.setFormatter(_Redacting(_FORMAT))
    handler.set_name(_HANDLER_NAME)
    root.addHandler(handler)
    root.setLevel(level)
    # Alembic announces every plugin it loads at INFO on each start; only its warnings matter.
    logging.getLogger("alembic").setLevel(logging.WARNING)


def describe_refusal(key: str, params: Mapping[str, Any]) -> str:
    """A refusal as the log keeps it: its message key and its numbers only (``card_has_card
    name=…``). The message itself is never logged: it may carry a participant's name, a NIK,
    or a file named after a person."""
    shown = [f"{name}={value}" if _number(value) else f"{name}=…" for name, value in params.items()]
    return " ".join([key, *shown])


def _number(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))
