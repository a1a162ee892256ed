"""Errors raised by the domain rules.

Every rule violation is a :class:`RuleError`: the user's fault, never a bug. The domain makes its
text when it raises it (``tr``: in the user's language); ``code`` is a stable snake_case name for
programs, tests and the log. The command line and the window sort it as a refusal the same way
(``rumah_perisai.errors.as_refusal`` makes it a ``RuleRefusal``): its one line, nothing changed.
"""

from __future__ import annotations


class RuleError(ValueError):
    """A rule from DOMAIN.md was not met; ``str(error)`` is its message, in the user's language."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class RuleDataError(RuleError):
    """A shipped rule file (``resources/rules/*.json``) is missing or contradicts itself."""
