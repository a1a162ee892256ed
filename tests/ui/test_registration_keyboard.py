"""Issue 17 in the registration form: required fields marked, the cursor taken to the first field
at fault, the phone and the NIK's agreement checked as each field is left, one typed birth date,
the post's own desa offered, typed work never thrown away without asking, one Alt+letter per
field, and hints that fit at 125 %."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from rumah_perisai.app import App
from rumah_perisai.services.posts import PostSummary, the_post
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.registration_form import RegistrationDialog

ALT = Qt.KeyboardModifier.AltModifier
SAMPIRAN, CIPERNA = "32.09.14.2001", "32.09.14.2002"


@pytest.fixture
def form(
    qtbot: QtBot, app: App, post: PostSummary, coordinator: Actor
) -> Iterator[RegistrationDialog]:
    with app.db.unit_of_work("cli:test") as session:
        the_post(session).desa_code = SAMPIRAN
    with app.db.reading() as session:
        post_id = the_post(session).id
    dialog = RegistrationDialog(app.db, post_id, "32.09", coordinator, lambda: date(2026, 11, 27))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    yield dialog
    dialog.close()


def _focus() -> QWidget | None:
    return QApplication.focusWidget()


def _mnemonic(text: str) -> str | None:
    plain = text.replace("&&", "")
    at = plain.find("&")
    return plain[at + 1].upper() if 0 <= at < len(plain) - 1 else None


def test_required_fields_are_marked_with_a_legend(form: RegistrationDialog) -> None:
    required = ("nik", "name", "birth_place", "birth_date", "sex", "street", "desa_code")
    for key in required + ("occupation", "income"):
        assert form.labels[key].text().endswith(" *"), key
    for key in ("phone", "heir_name", "heir_relation", "rt"):
        assert not form.labels[key].text().endswith("*"), key
    assert form.legend.isVisible() and form.legend.text() == "* wajib diisi"


def test_after_a_refused_save_the_cursor_is_in_the_first_field_at_fault(
    qtbot: QtBot, form: RegistrationDialog
) -> None:
    qtbot.keyClicks(form.nik, "3209145203900001")
    qtbot.keyClick(form.nik, Qt.Key.Key_Tab)
    qtbot.keyClicks(form.name, "Siti Aminah")
    qtbot.keyClick(form.name, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert form.errors["birth_place"].isVisible()
    assert _focus() is form.birth_place  # the first red field, not wherever Ctrl+S was pressed


def test_the_phone_is_checked_as_it_is_left(qtbot: QtBot, form: RegistrationDialog) -> None:
    form.phone.setFocus()
    qtbot.keyClicks(form.phone, "021-555-1234")
    assert form.errors["phone"].isHidden()  # not while typing
    qtbot.keyClick(form.phone, Qt.Key.Key_Tab)
    assert form.errors["phone"].isVisible()
    assert form.errors["phone"].text().startswith("Nomor HP Indonesia")


def test_the_nik_agreement_is_checked_as_the_birth_date_or_sex_is_left(
    qtbot: QtBot, form: RegistrationDialog
) -> None:
    qtbot.keyClicks(form.nik, "3209145203900001")  # a woman born 12 Mar 1990: filled
    assert form.birth_date.text() == "12-03-1990" and form.sex.currentData() == "P"
    form.birth_date.setFocus()
    form.birth_date.selectAll()
    qtbot.keyClicks(form.birth_date, "13031990")  # the KTP says the 13th
    qtbot.keyClick(form.birth_date, Qt.Key.Key_Tab)
    assert form.errors["birth_date"].isVisible()
    assert form.errors["birth_date"].text() == (
        "Tanggal lahir di NIK (12 Mar 1990) tidak sama dengan tanggal lahir yang diisi "
        "(13 Mar 1990)."
    )
    qtbot.keyClick(form.sex, Qt.Key.Key_Backtab)
    assert _focus() is form.birth_date
    form.birth_date.selectAll()
    qtbot.keyClicks(form.birth_date, "12031990")
    qtbot.keyClick(form.birth_date, Qt.Key.Key_Tab)
    assert form.errors["birth_date"].isHidden()
    assert _focus() is form.sex
    qtbot.keyClick(form.sex, Qt.Key.Key_Up)  # L: the NIK says P
    assert form.errors["sex"].isVisible()
    assert "Jenis kelamin di NIK (P)" in form.errors["sex"].text()


def test_the_birth_date_is_one_field_typed_straight_through(
    qtbot: QtBot, form: RegistrationDialog
) -> None:
    form.birth_place.setFocus()
    qtbot.keyClick(form.birth_place, Qt.Key.Key_Tab)
    assert _focus() is form.birth_date
    qtbot.keyClicks(form.birth_date, "12031978")  # no Tab, no hyphen between the parts
    assert form.birth_date.text() == "12-03-1978"
    assert form.birth_date.date() == date(1978, 3, 12)
    qtbot.keyClick(form.birth_date, Qt.Key.Key_Tab)
    assert _focus() is form.sex  # one Tab leaves the date
    form.birth_date.setFocus()
    form.birth_date.selectAll()
    qtbot.keyClicks(form.birth_date, "31021978")
    qtbot.keyClick(form.birth_date, Qt.Key.Key_Tab)
    assert form.birth_date.date() is None
    assert form.errors["birth_date"].text().startswith("Tanggal ini tidak ada")


def test_the_posts_own_desa_is_offered_and_can_be_changed(
    qtbot: QtBot, form: RegistrationDialog
) -> None:
    assert form.desa.text().startswith("Sampiran — Kec.")
    assert form.desa_code() == SAMPIRAN
    form.desa.setFocus()
    form.desa.selectAll()
    qtbot.keyClicks(form.desa, "Ciperna")
    form.desa.completer().popup().hide()
    assert form.desa_code() == CIPERNA


def test_without_its_own_desa_a_post_offers_the_one_most_registered(
    app: App, post: PostSummary, add_participant: object
) -> None:
    from rumah_perisai.services.registration import default_desa

    assert callable(add_participant)
    with app.db.reading() as session:
        post_id = the_post(session).id
        assert default_desa(session, post_id) is None  # nothing to go by yet
    add_participant(desa_code=CIPERNA)
    add_participant(desa_code=CIPERNA)
    add_participant(desa_code=SAMPIRAN)
    with app.db.reading() as session:
        assert default_desa(session, post_id) == CIPERNA


def test_escape_closes_an_empty_form_at_once(qtbot: QtBot, form: RegistrationDialog) -> None:
    qtbot.keyClick(form.nik, Qt.Key.Key_Escape)
    assert not form.isVisible()


def test_escape_asks_before_throwing_away_typed_work(
    qtbot: QtBot, form: RegistrationDialog
) -> None:
    qtbot.keyClicks(form.nik, "3209145203900001")
    qtbot.keyClick(form.nik, Qt.Key.Key_Escape)
    box = form.discard_box
    assert form.isVisible() and box is not None and box.isVisible()
    assert box.text() == "Buang isian formulir ini?"
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # no: back to the form, nothing lost
    assert form.isVisible() and form.nik.text() == "3209145203900001"
    qtbot.keyClick(form.nik, Qt.Key.Key_Escape)
    box = form.discard_box
    assert box is not None
    box.activateWindow()
    qtbot.waitUntil(box.isActiveWindow, timeout=2000)
    qtbot.keyClick(box, Qt.Key.Key_B, ALT)  # Buang isian
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=2000)


def test_the_program_closing_the_form_does_not_ask(qtbot: QtBot, form: RegistrationDialog) -> None:
    """The idle lock or another person logging in closes forms: their data must not stay."""
    qtbot.keyClicks(form.nik, "3209145203900001")
    form.close()
    assert not form.isVisible() and form.discard_box is None


def test_no_two_controls_of_the_form_share_a_letter(form: RegistrationDialog) -> None:
    texts = [w.text() for w in form.findChildren(QLabel) if w.buddy() is not None]
    texts += [w.text() for w in form.findChildren(QAbstractButton)]
    letters = Counter(m for m in map(_mnemonic, texts) if m)
    assert [letter for letter, n in letters.items() if n > 1] == []
    for field in form.findChildren(QLineEdit):
        if field.parent() is not None and field.objectName() and field.isVisibleTo(form):
            buddies = [w for w in form.findChildren(QLabel) if w.buddy() is field]
            assert buddies and _mnemonic(buddies[0].text()), field.objectName()


def test_each_alt_letter_goes_to_its_field(qtbot: QtBot, form: RegistrationDialog) -> None:
    expected = {
        Qt.Key.Key_N: form.nik, Qt.Key.Key_M: form.name, Qt.Key.Key_P: form.birth_place,
        Qt.Key.Key_T: form.birth_date, Qt.Key.Key_J: form.sex, Qt.Key.Key_A: form.street,
        Qt.Key.Key_R: form.rt, Qt.Key.Key_W: form.rw, Qt.Key.Key_D: form.desa,
        Qt.Key.Key_H: form.phone, Qt.Key.Key_E: form.occupation, Qt.Key.Key_G: form.income,
        Qt.Key.Key_L: form.heir_name, Qt.Key.Key_U: form.heir_relation,
    }  # fmt: skip
    for key, field in expected.items():
        qtbot.keyClick(_focus() or form, key, ALT)
        focus = _focus()
        assert focus is field or field.isAncestorOf(focus), (key, focus and focus.objectName())
    qtbot.keyClick(_focus() or form, Qt.Key.Key_I, ALT)  # Ikut JHT: ticked
    qtbot.waitUntil(form.with_jht.isChecked, timeout=2000)
    qtbot.keyClick(_focus() or form, Qt.Key.Key_Y, ALT)  # Ya, peserta setuju
    qtbot.waitUntil(form.consent.isChecked, timeout=2000)


def test_hints_and_reasons_fit_at_125_percent(qtbot: QtBot, form: RegistrationDialog) -> None:
    """1366×768 at 125 % less the taskbar: 1093×592. No hint is a cut-off placeholder."""
    form.resize(min(form.width(), 1093), min(form.height(), 592))
    qtbot.keyClicks(form.nik, "3209145203900001")
    form.birth_date.setText("13031990")
    form.save()  # a coordinator: the reason for a NIK that disagrees is asked for
    form.candidates = []
    form.duplicate_box.show()
    form.confirm_reason.show()
    QApplication.processEvents()
    assert form.width() <= 1093 and form.height() <= 592
    for field in form.findChildren(QLineEdit):
        if field.isVisible() and field.placeholderText():
            room = field.contentsRect().width() - 8
            width = field.fontMetrics().horizontalAdvance(field.placeholderText())
            assert width <= room, field.placeholderText()
    for label in form.findChildren(QLabel):
        if label.isVisible() and label.text() and not label.wordWrap():
            width = label.fontMetrics().horizontalAdvance(label.text().replace("&", ""))
            assert width <= label.contentsRect().width(), label.text()


def test_a_nik_that_disagrees_with_a_typed_birth_date_is_said_as_it_is_left(
    qtbot: QtBot, form: RegistrationDialog
) -> None:
    form.birth_date.setFocus()
    qtbot.keyClicks(form.birth_date, "13031990")  # typed from the KTP first
    form.nik.setFocus()
    qtbot.keyClicks(form.nik, "3209145203900001")
    assert form.birth_date.text() == "13-03-1990"  # what was typed is not overwritten
    qtbot.keyClick(form.nik, Qt.Key.Key_Tab)
    assert form.errors["nik"].isVisible()
    assert form.errors["nik"].text().startswith("Tanggal lahir di NIK (12 Mar 1990) tidak sama")
