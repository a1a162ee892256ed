"""Errors raised by the domain rules.

Every rule violation is a :class:`RuleError`, so the CLI and the UI can catch one type and show its
text as a one-line message. The text is in Bahasa Indonesia for the volunteers; ``code`` is a stable
snake_case name for programs and tests.
"""

from __future__ import annotations


class RuleError(ValueError):
    """A rule from DOMAIN.md was not met; ``str(error)`` is the Indonesian message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class RuleDataError(RuleError):
    """A shipped rule file (``resources/rules/*.json``) is missing or contradicts itself."""
