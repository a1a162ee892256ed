"""Cards: recorded only once made, reprints with a reason replace the old card, scans say
genuine, replaced, forged or from an unknown post."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from rumah_perisai.app import App
from rumah_perisai.cli import main
from rumah_perisai.db.models import CardIssue
from rumah_perisai.domain.card_payload import CardPayload, encode_card, is_card_text
from rumah_perisai.errors import UserError
from rumah_perisai.printing.cards import prepare_cards
from rumah_perisai.services.cards import (
    CardState,
    card_run,
    check_card,
    hand_over,
    record_cards,
)
from rumah_perisai.services.registration import withdraw
from rumah_perisai.services.volunteers import Actor


def _cards(app: App) -> list[CardIssue]:
    with app.db.reading() as session:
        return list(session.scalars(select(CardIssue).order_by(CardIssue.serial)))


def _qr(read_codes: Callable[[bytes], list[str]], pdf: bytes) -> str:
    (qr,) = [text for text in read_codes(pdf) if is_card_text(text)]
    return qr


def test_a_card_is_recorded_only_once_made_and_its_qr_verifies(
    app: App,
    coordinator: Actor,
    add_participant: Callable[..., int],
    read_codes: Callable[[bytes], list[str]],
) -> None:
    siti = add_participant(name="Siti Aminah")
    prepared = prepare_cards(app.db, app.folder, [siti])
    assert _cards(app) == []  # drawn, not yet saved or printed: nothing recorded
    codes = read_codes(prepared.pdf)
    assert "RP3209A-000001" in codes  # the Code128 barcode
    qr = _qr(read_codes, prepared.pdf)
    assert check_card(app.db, qr).detail == "not_recorded"  # signed here, never made: forged
    record_cards(app.db, prepared, coordinator)
    (card,) = _cards(app)
    assert (card.serial, card.reason, card.state) == (1, "first", "valid")
    scan = check_card(app.db, qr.lower())  # a scanner with Caps Lock on
    assert scan.state is CardState.CURRENT and scan.participant_id == siti
    assert scan.message(scan.name) == "Kartu asli no. 1: kartu yang berlaku milik Siti Aminah."
    hand_over(app.db, 1, coordinator)
    assert _cards(app)[0].handed_over_at is not None


def test_a_reprint_needs_a_reason_and_replaces_the_old_card(
    app: App,
    coordinator: Actor,
    add_participant: Callable[..., int],
    read_codes: Callable[[bytes], list[str]],
) -> None:
    siti = add_participant(name="Siti Aminah")
    first = prepare_cards(app.db, app.folder, [siti])
    record_cards(app.db, first, coordinator)
    with pytest.raises(UserError) as refused:
        prepare_cards(app.db, app.folder, [siti])
    assert refused.value.key == "reprint_needs_reason"
    again = prepare_cards(app.db, app.folder, [siti], reason="lost", note="hilang di pasar")
    record_cards(app.db, again, coordinator)
    old, new = _cards(app)
    assert (old.state, new.state, new.reason, new.reason_note) == (
        "replaced", "valid", "lost", "hilang di pasar",
    )  # fmt: skip
    assert check_card(app.db, _qr(read_codes, first.pdf)).state is CardState.REPLACED
    assert check_card(app.db, _qr(read_codes, again.pdf)).state is CardState.CURRENT


def test_cards_drawn_before_others_were_recorded_must_be_drawn_again(
    app: App, coordinator: Actor, add_participant: Callable[..., int]
) -> None:
    a, b = add_participant(name="Asep"), add_participant(name="Dede")
    late = prepare_cards(app.db, app.folder, [a])
    record_cards(app.db, prepare_cards(app.db, app.folder, [b]), coordinator)
    with pytest.raises(UserError) as refused:
        record_cards(app.db, late, coordinator)  # its serial 1 was given to Dede's card
    assert refused.value.key == "cards_outdated"
    assert [c.serial for c in _cards(app)] == [1]


def test_a_run_of_many_judges_each_card_as_alone_and_refuses_at_the_first_it_cannot_make(
    app: App, coordinator: Actor, add_participant: Callable[..., int]
) -> None:
    """The run's participants are read all at once (issue 21): each card still gets its own
    reason, the faces keep the order asked for, and a refusal names the first one in that order."""
    asep, dede, euis = (add_participant(name=name) for name in ("Asep", "Dede", "Euis"))
    record_cards(app.db, prepare_cards(app.db, app.folder, [dede]), coordinator)
    run = card_run(app.db, app.folder, [euis, dede, asep], reason="damaged")
    assert run.reasons == ("first", "damaged", "first")
    assert [face.name for face in run.faces] == ["Euis", "Dede", "Asep"]
    assert run.serials == (2, 3, 4)
    with pytest.raises(UserError) as refused:
        card_run(app.db, app.folder, [asep, dede])  # Dede's card is a reprint: a reason
    assert refused.value.key == "reprint_needs_reason"
    withdraw(app.db, euis, "daftar dua kali", coordinator)
    with pytest.raises(UserError) as refused:
        card_run(app.db, app.folder, [asep, euis, 999_999], reason="lost")
    assert refused.value.key == "card_not_member"
    with pytest.raises(UserError) as refused:
        card_run(app.db, app.folder, [asep, 999_999, euis], reason="lost")
    assert refused.value.key == "participant_missing"


def test_no_card_for_a_withdrawn_registration(
    app: App, coordinator: Actor, add_participant: Callable[..., int]
) -> None:
    siti = add_participant(name="Siti Aminah")
    withdraw(app.db, siti, "daftar dua kali", coordinator)
    with pytest.raises(UserError) as refused:
        prepare_cards(app.db, app.folder, [siti])
    assert refused.value.key == "card_not_member"


def test_no_card_once_a_membership_ended_at_the_persons_request(
    app: App, coordinator: Actor, add_participant: Callable[..., int]
) -> None:
    """Said as it is (not "withdrawn or rejected"), and an erased person is not named."""
    from datetime import date

    from rumah_perisai.services.requests import erase

    siti = add_participant(name="Siti Aminah")
    erase(app.db, app.folder, siti, date(2026, 11, 27), "in_person", coordinator)
    with pytest.raises(UserError) as refused:
        prepare_cards(app.db, app.folder, [siti])
    assert refused.value.key == "card_membership_ended"
    assert refused.value.message() == (
        "Kepesertaan dihapus atas permintaan sudah berakhir atas permintaannya: kartu tidak dibuat."
    )


def test_forged_and_foreign_cards_are_said_plainly(app: App, coordinator: Actor) -> None:
    from datetime import date

    stranger = encode_card(
        CardPayload("RP9999Z", "RP9999Z-000001", 7, date(2026, 11, 1)), Ed25519PrivateKey.generate()
    )
    assert check_card(app.db, stranger).state is CardState.UNKNOWN_POST
    forged = encode_card(
        CardPayload("RP3209A", "RP3209A-000001", 7, date(2026, 11, 1)), Ed25519PrivateKey.generate()
    )
    assert check_card(app.db, forged).state is CardState.FORGED


def test_card_commands_print_then_verify(
    app: App,
    coordinator: Actor,
    add_participant: Callable[..., int],
    read_codes: Callable[[bytes], list[str]],
    tmp_path: Path,
) -> None:
    add_participant(name="Siti Aminah")
    app.close()
    data = [
        "--data-dir",
        str(app.folder.root),
        "--db",
        str(app.db.engine.url.render_as_string(hide_password=False)),
    ]

    def run(*argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        return main([*data, *argv], out=out, err=err), out.getvalue(), err.getvalue()

    code, out, _ = run("card", "print", "RP3209A-000001", "--out", str(tmp_path / "card.pdf"))
    assert (code, out.strip()) == (0, str(tmp_path / "card.pdf"))
    first_qr = _qr(read_codes, (tmp_path / "card.pdf").read_bytes())
    assert run("card", "verify", first_qr)[0] == 0
    code, _, err = run("card", "print", "RP3209A-000001", "--out", str(tmp_path / "again.pdf"))
    assert code == 1 and "perlu alasan" in err
    assert not (tmp_path / "again.pdf").exists()
    assert (
        run(
            "card",
            "print",
            "RP3209A-000001",
            "--out",
            str(tmp_path / "again.pdf"),
            "--reason",
            "damaged",
        )[0]
        == 0
    )
    code, _, err = run("card", "verify", first_qr)
    assert code == 1 and "SUDAH DIGANTI" in err
    altered = first_qr[:20] + ("A" if first_qr[20] != "A" else "B") + first_qr[21:]
    assert run("card", "verify", altered)[0] == 1
    assert run("card", "verify", "hello")[0] == 1
