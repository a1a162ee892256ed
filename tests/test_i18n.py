"""Every message exists in Bahasa Indonesia and English, with the same placeholders."""

from __future__ import annotations

import string

from rumah_perisai.i18n import CATALOG, set_language, tr


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_has_both_languages_with_the_same_placeholders() -> None:
    for key, texts in CATALOG.items():
        assert set(texts) == {"id", "en"}, key
        assert _fields(texts["id"]) == _fields(texts["en"]), key


def test_indonesian_is_the_default_and_english_is_available() -> None:
    assert tr("post_exists", code="RP1", name="Pos").startswith(
        "Folder data ini sudah berisi pos RP1"
    )
    set_language("en")
    assert tr("post_exists", code="RP1", name="Pos").startswith("This data folder already holds")
    set_language("xx")  # unknown falls back to Indonesian
    assert tr("interrupted") == "Dihentikan."
