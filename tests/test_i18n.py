"""Every marked string has an Indonesian translation with the same placeholders (Electrum's check),
and the language can be switched."""

from __future__ import annotations

import string
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from rumah_perisai.errors import UserError
from rumah_perisai.i18n import set_language, tr
from rumah_perisai.messages import MESSAGES

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "resources" / "locale" / "id" / "LC_MESSAGES" / "rumah_perisai.po"
KEYWORDS = {"_": None, "tr": None, "N_": None, "ngettext": (1, 2)}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT / "rumah_perisai", keywords=KEYWORDS, comment_tags=()
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_string_in_the_code_is_translated_to_indonesian() -> None:
    catalog = read_po(PO.open("rb"))
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(_source_messages() - set(translated))
    assert missing == [], "run pybabel extract/update and translate these (see i18n.py)"


def test_translations_keep_the_same_placeholders() -> None:
    for message in read_po(PO.open("rb")):
        if message.id and message.string:
            assert _fields(str(message.id)) == _fields(str(message.string)), message.id


def test_every_user_error_code_has_a_message() -> None:
    for code in MESSAGES:
        assert UserError(code).key == code


def test_indonesian_is_the_default_and_english_is_available() -> None:
    text = MESSAGES["post_exists"]
    assert tr(text, code="RP1", name="Pos").startswith("Folder data ini sudah berisi pos RP1")
    set_language("en")
    assert tr(text, code="RP1", name="Pos").startswith("This data folder already holds")
    set_language("xx")  # an unknown language falls back to Indonesian
    assert tr(MESSAGES["interrupted"]) == "Dihentikan."
