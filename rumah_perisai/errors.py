"""The two kinds of errors, and the one place that tells them apart.

A **refusal** is expected and the user can act on it (a bad NIK, a newer database, a folder that
cannot be written): nothing was changed, and the user is told in one line in their language.
Anything else is a **bug**: it is logged with its traceback and the user gets the crash report.
The window and the command line sort every exception the same way:

``as_refusal(error, database_url="") -> UserError | None``
    The refusal ``error`` stands for, or None when it is a bug. Refusals are: a ``UserError``
    (``key`` names its message in ``rumah_perisai.messages``); a domain ``RuleError`` (the
    domain makes its text in the user's language when it raises it; here it becomes a
    ``RuleRefusal``, keyed by the rule's ``code``); a driver's busy or disk-full error
    (``db.engine.refusal_for``); a file the system refused (``OSError``: ``file_failed``).
``triage(error, database_url="") -> UserError | None``
    The same, and logged: a refusal as ``refused: KEY`` with its numbers only (never its text: it
    may name a person), a bug as ``internal error`` with its traceback.

Who shows it: the command line prints ``refusal.message()`` on stderr and exits
``refusal.exit_code`` (1, or 2 for wrong usage), or ``internal_error`` and 1 for a bug
(``cli.main``); the window shows a refusal in a warning box and a bug in the crash dialog
(``ui.launch``'s crash hook, which a slot's escaping exception reaches), and a slot that refuses
in a box of its own uses ``ui.refusals.refusing``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rumah_perisai.domain.errors import RuleError

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2

log = logging.getLogger(__name__)


class UserError(Exception):
    """An expected failure: ``key`` names its message in ``rumah_perisai.messages``."""

    exit_code = EXIT_REFUSED

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self) -> str:
        from rumah_perisai.i18n import tr
        from rumah_perisai.messages import MESSAGES

        return tr(MESSAGES.get(self.key, self.key), **self.params)

    def log_text(self) -> str:
        """What the log keeps of it: the key and its numbers, never the message."""
        from rumah_perisai.logs import describe_refusal

        return describe_refusal(self.key, self.params)

    def __str__(self) -> str:
        return self.message()


class UsageError(UserError):
    """The command was called wrongly."""

    exit_code = EXIT_USAGE


class RuleRefusal(UserError):
    """A domain rule that was not met, as a refusal: its text is the rule's own (made in the
    user's language when the domain raised it), its key the rule's ``code``."""

    def __init__(self, rule: RuleError) -> None:
        super().__init__(rule.code)
        self.rule = rule

    def message(self) -> str:
        return self.rule.message


class FileRefusal(UserError):
    """The system refused a file (a name too long, a disk that failed): the user's to fix. Only
    the error number is logged: a file name may be a person's name."""

    def __init__(self, error: OSError) -> None:
        super().__init__("file_failed", path=error.filename or "-", reason=error.strerror)
        self.errno = error.errno

    def log_text(self) -> str:
        from rumah_perisai.logs import describe_refusal

        return describe_refusal(self.key, {"errno": self.errno})


def as_refusal(error: BaseException, database_url: str = "") -> UserError | None:
    """The refusal ``error`` stands for, or None when it is a bug (see the module's text)."""
    from sqlalchemy.exc import DBAPIError

    from rumah_perisai.domain.errors import RuleError

    if isinstance(error, UserError):
        return error
    if isinstance(error, RuleError):
        return RuleRefusal(error)
    if isinstance(error, DBAPIError):
        from rumah_perisai.db.engine import refusal_for

        return refusal_for(database_url, error)
    if isinstance(error, OSError):
        return FileRefusal(error)
    return None


def triage(error: BaseException, database_url: str = "") -> UserError | None:
    """``as_refusal``, logged: ``refused: KEY`` for a refusal, the traceback for a bug."""
    refusal = as_refusal(error, database_url)
    if refusal is None:
        log.error("internal error", exc_info=(type(error), error, error.__traceback__))
    else:
        log.info("refused: %s", refusal.log_text())
    return refusal
