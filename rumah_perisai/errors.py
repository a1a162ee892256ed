"""The two kinds of errors.

A ``UserError`` is expected and the user can act on it (a bad NIK, a newer database, a folder that
cannot be written): the command line prints its one-line message and exits 1 (2 for wrong usage),
the window shows it in a dialog. Anything else is a bug: it is logged with its traceback.
"""

from __future__ import annotations

from typing import Any

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2


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

    def __str__(self) -> str:
        return self.message()


class UsageError(UserError):
    """The command was called wrongly."""

    exit_code = EXIT_USAGE
