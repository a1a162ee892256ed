"""Issue 14, item 4: a scanned card gets its own answer for each state, from the service and from
`card verify` (exit 0 only for a current card, or another post's card whose key came in a branch
ACK and whose post is not suspended). Real posts on SQLite files, a real branch, real ACKs."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from rumah_perisai.app import App
from rumah_perisai.branch import import_batch, set_suspended
from rumah_perisai.cli import main
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import Participant
from rumah_perisai.domain.card_payload import CardPayload, encode_card
from rumah_perisai.keys import load_post_key
from rumah_perisai.printing.cards import prepare_cards
from rumah_perisai.services.acks import take_ack
from rumah_perisai.services.cards import CardState, check_card, record_cards
from rumah_perisai.services.registration import withdraw
from tests.branch.branch_world import CLI, PostSide, make_branch, make_post
from tests.conftest import FakeClock

# PostSide.register gives its n-th walk-in the NIK 3209144101(90+n)nnnn at every post: the first
# walk-ins of two posts share a NIK. A NIK of the same birth date that no other walk-in has:
OWN_NIK = "3209144101910055"


@pytest.fixture
def branch(tmp_path: Path, clock: FakeClock) -> Iterator[App]:
    root = tmp_path / "branch"
    root.mkdir()
    office = make_branch(root, DataFolder(root).sqlite_url, clock)
    yield office
    office.close()


@pytest.fixture
def here(tmp_path: Path, branch: App, clock: FakeClock) -> Iterator[PostSide]:
    """The post where cards are scanned."""
    side = make_post(tmp_path, branch, clock, "RP3209A")
    yield side
    side.app.close()


@pytest.fixture
def other(tmp_path: Path, branch: App, clock: FakeClock) -> Iterator[PostSide]:
    """Another post of the same branch."""
    side = make_post(tmp_path, branch, clock, "RP3209B")
    yield side
    side.app.close()


def issue_card(side: PostSide, who: int, reason: str = "first") -> str:
    """Make and record a card of ``who``; returns its QR text (what the printed PDF carries)."""
    prepared = prepare_cards(side.app.db, side.app.folder, [who], reason=reason)
    record_cards(side.app.db, prepared, side.coordinator)
    with side.app.db.reading() as session:
        registration_no = session.get(Participant, who).registration_no  # type: ignore[union-attr]
    payload = CardPayload(side.code, registration_no, prepared.serials[0], prepared.issued_on)
    return encode_card(payload, load_post_key(side.app.folder.keys))


def verify(side: PostSide, text: str, *extra: str) -> tuple[int, str, str]:
    """`card verify` at ``side``'s post, as a script runs it."""
    url = side.app.db.engine.url.render_as_string(hide_password=False)
    out, err = io.StringIO(), io.StringIO()
    argv = ["--data-dir", str(side.app.folder.root), "--db", url, "card", "verify", text, *extra]
    return main(argv, out=out, err=err), out.getvalue(), err.getvalue()


def verify_json(side: PostSide, text: str) -> tuple[int, dict[str, Any]]:
    code, out, _err = verify(side, text, "--json")
    return code, json.loads(out)


def _personal_data(side: PostSide) -> list[str]:
    with side.app.db.reading() as session:
        rows = session.execute(select(Participant.name, Participant.nik, Participant.phone))
        return [value for row in rows for value in row if value]


def assert_refused(side: PostSide, text: str, state: str, *words: str) -> dict[str, Any]:
    """Exit 1 with one line on stderr holding ``words``; the JSON says ``state``, no personal
    data."""
    code, out, err = verify(side, text)
    assert (code, out) == (1, ""), err
    assert err.count("\n") == 1 and all(word in err for word in words), err
    code, shown = verify_json(side, text)
    assert code == 1 and shown["state"] == state and shown["current"] is False
    assert not any(value in json.dumps(shown) for value in _personal_data(side))
    return shown


def _take_ack(branch: App, side: PostSide) -> None:
    result = import_batch(branch.db, branch.folder, side.export().path, CLI)
    assert result.ack_path is not None
    take_ack(side.app.db, result.ack_path.read_bytes(), result.ack_path.name, CLI)


# --- one test per state ------------------------------------------------------------------------


def test_current(here: PostSide) -> None:
    siti = here.register(nik=OWN_NIK, name="Siti Aminah")
    text = issue_card(here, siti)
    scan = check_card(here.app.db, text)
    assert scan.state is CardState.CURRENT and scan.current and scan.participant_id == siti
    assert scan.message(scan.name) == "Kartu asli no. 1: kartu yang berlaku milik Siti Aminah."
    code, out, err = verify(here, text)
    assert (code, err) == (0, "")
    assert out == "Kartu asli no. 1: kartu yang berlaku milik RP3209A-000001.\n"
    code, shown = verify_json(here, text)
    assert code == 0
    facts = ("state", "current", "registration_no", "serial", "post_code", "issued_on")
    assert {k: shown[k] for k in facts} == {
        "state": "current", "current": True, "registration_no": "RP3209A-000001", "serial": 1,
        "post_code": "RP3209A", "issued_on": "2026-11-27",
    }  # fmt: skip
    assert not any(value in json.dumps(shown) for value in _personal_data(here))


def test_replaced(here: PostSide) -> None:
    siti = here.register(nik=OWN_NIK)
    first = issue_card(here, siti)
    issue_card(here, siti, "lost")
    assert check_card(here.app.db, first).state is CardState.REPLACED
    assert_refused(here, first, "replaced", "SUDAH DIGANTI", "no. 1")


def test_withdrawn(here: PostSide) -> None:
    """Was: genuine and current, exit 0."""
    siti = here.register(nik=OWN_NIK)
    text = issue_card(here, siti)
    withdraw(here.app.db, siti, "daftar dua kali", here.coordinator)
    scan = check_card(here.app.db, text)
    assert scan.state is CardState.WITHDRAWN and not scan.current
    assert scan.participant_id == siti  # the window opens the registration
    shown = assert_refused(here, text, "withdrawn", "DIBATALKAN", "jangan terima")
    assert shown["registration_no"] == "RP3209A-000001"


def test_rejected(branch: App, here: PostSide, other: PostSide, clock: FakeClock) -> None:
    """Rejected by the branch in an ACK (the NIK was registered first at another post). Was:
    "replaced"."""
    other.register()
    import_batch(branch.db, branch.folder, other.export().path, CLI)
    clock.advance(hours=1)
    late = here.register()  # the other post's NIK, an hour later
    text = issue_card(here, late)
    _take_ack(branch, here)
    scan = check_card(here.app.db, text)
    assert scan.state is CardState.REJECTED and scan.participant_id == late
    assert_refused(here, text, "rejected", "DITOLAK cabang", "jangan terima")


def test_other_post(branch: App, here: PostSide, other: PostSide, clock: FakeClock) -> None:
    """A genuine card of a post whose key came in the branch's ACK. Was: "never recorded as
    made", exit 1."""
    theirs = issue_card(other, other.register(nik=OWN_NIK))
    here.register()
    assert check_card(here.app.db, theirs).state is CardState.UNKNOWN_POST  # no key yet
    _take_ack(branch, here)  # brings RP3209B's key

    scan = check_card(here.app.db, theirs)
    assert scan.state is CardState.OTHER_POST and scan.current
    assert (scan.participant_id, scan.post_name) == (None, "Rumah Perisai RP3209B")
    code, out, err = verify(here, theirs)
    assert (code, err) == (0, "")
    assert "RP3209B-000001" in out and "Rumah Perisai RP3209B" in out
    code, shown = verify_json(here, theirs)
    assert code == 0
    assert {k: shown[k] for k in ("state", "current", "post_code", "post_suspended")} == {
        "state": "other_post", "current": True, "post_code": "RP3209B", "post_suspended": False,
    }  # fmt: skip

    # The branch suspends that post, and the next ACK says so: its cards are no longer taken.
    set_suspended(branch.db, "RP3209B", "laptop dicuri", CLI)
    clock.advance(days=7)
    here.register()
    _take_ack(branch, here)
    scan = check_card(here.app.db, theirs)
    assert scan.state is CardState.OTHER_POST and not scan.current and scan.post_suspended
    shown = assert_refused(here, theirs, "other_post", "RP3209B", "DITANGGUHKAN")
    assert shown["post_suspended"] is True


def test_unknown_post(here: PostSide) -> None:
    stranger = encode_card(
        CardPayload("RP9999Z", "RP9999Z-000001", 7, date(2026, 11, 1)), Ed25519PrivateKey.generate()
    )
    assert check_card(here.app.db, stranger).state is CardState.UNKNOWN_POST
    shown = assert_refused(here, stranger, "unknown_post", "RP9999Z", "tanda terima")
    assert shown["post_code"] == "RP9999Z"


def test_forged(here: PostSide) -> None:
    text = issue_card(here, here.register(nik=OWN_NIK))
    wrong_key = encode_card(
        CardPayload("RP3209A", "RP3209A-000001", 1, date(2026, 11, 27)),
        Ed25519PrivateKey.generate(),
    )
    altered = text[:20] + ("A" if text[20] != "A" else "B") + text[21:]
    # Signed with this post's key but never recorded as made (e.g. a preview that was copied).
    unrecorded = encode_card(
        CardPayload("RP3209A", "RP3209A-000001", 9, date(2026, 11, 27)),
        load_post_key(here.app.folder.keys),
    )
    for forged, detail in ((wrong_key, "signature"), (altered, None), (unrecorded, "not_recorded")):
        scan = check_card(here.app.db, forged)
        assert scan.state is CardState.FORGED and not scan.current, forged
        shown = assert_refused(here, forged, "forged", "jangan terima")
        if detail is not None:
            assert shown["detail"] == detail


def test_not_a_card(here: PostSide) -> None:
    """Was: raised (the window and the CLI each caught it); now a state like the others."""
    newer = "RPKAI" + "A" * 131  # a card code of a format this program does not know
    for text, detail in (("hello", "not_a_card"), (newer, "bad_version")):
        scan = check_card(here.app.db, text)
        assert scan.state is CardState.NOT_A_CARD and scan.payload is None
        shown = assert_refused(here, text, "not_a_card")
        assert shown["detail"] == detail and shown["registration_no"] is None
