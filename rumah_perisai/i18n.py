"""Every text the user reads goes through gettext: Bahasa Indonesia by default, English too.

Source strings (msgids) are English; the Indonesian catalogue is
``resources/locale/id/LC_MESSAGES/rumah_perisai.po``, read with Babel at start-up (no compiled
``.mo`` to keep in step). ``tests/test_i18n.py`` checks that every marked string has an
Indonesian translation with the same ``{placeholders}``.

Mark a string with ``_()`` where it is shown, or with ``N_()`` where it is only defined (a
table of messages) and translated later. Extract new strings with
``.venv/bin/pybabel extract -k tr -k N_ --no-location --sort-output -o resources/locale/rumah_perisai.pot rumah_perisai`` and merge them with
``.venv/bin/pybabel update -i resources/locale/rumah_perisai.pot -d resources/locale -D rumah_perisai``.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

from rumah_perisai.resources import resource_path

DOMAIN = "rumah_perisai"
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
# Babel locales for numbers, money and dates: English as used in Indonesia keeps "Rp 16.800".
BABEL_LOCALES = {"id": "id_ID", "en": "en_ID"}

_language = DEFAULT_LANGUAGE
# A language for one piece of work (printed receipts are Indonesian whatever the screen's
# language); per thread, so a receipt drawn on a worker thread never changes the window's texts.
_override: ContextVar[str | None] = ContextVar("rumah_perisai_language", default=None)


@cache
def _catalogue(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    path = resource_path("locale", language, "LC_MESSAGES", f"{DOMAIN}.po")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def set_language(language: str) -> None:
    """Switch every later message to ``language`` (an unknown one falls back to Indonesian)."""
    global _language
    _language = language if language in LANGUAGES else DEFAULT_LANGUAGE


def language() -> str:
    return _override.get() or _language


@contextmanager
def speaking(language_code: str) -> Iterator[None]:
    """Texts, money and dates in ``language_code`` inside the block, on this thread only."""
    token = _override.set(language_code if language_code in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _override.reset(token)


def babel_locale() -> str:
    return BABEL_LOCALES[language()]


def _(message: str) -> str:
    """The translation of ``message`` in the current language."""
    return _catalogue(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _catalogue(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks ``message`` for extraction; it is translated later, where it is shown."""
    return message


def tr(message: str, **params: Any) -> str:
    """Translate ``message`` and fill in its ``{placeholders}``."""
    text = _(message)
    return text.format(**params) if params else text
