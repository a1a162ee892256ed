"""The call list (issue 7): who is on it and in what order, the ready WhatsApp message, call
outcomes recorded and shown next time, and the spreadsheet, on SQLite and PostgreSQL.
The fake clock stands at 27 Nov 2026 09:30 WIB; the list is asked for that day unless said."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from rumah_perisai import formats
from rumah_perisai.app import App
from rumah_perisai.db.models import AuditEntry, CallOutcome, Post
from rumah_perisai.domain.coverage import CoverHistory, Standing, Status
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import speaking, tr
from rumah_perisai.printing.call_list import export_xlsx
from rumah_perisai.services import call_list as calls
from rumah_perisai.services.call_list import (
    ARREARS,
    FREE_ENDING,
    PAID_ENDING,
    CallRow,
    call_list,
    calls_of,
    record_call,
)
from rumah_perisai.services.dues import payment_options
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.volunteers import Actor
from tests.conftest import FakeClock

# Their SQL differs by dialect: also on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.postgresql

TODAY = date(2026, 11, 27)
POST_NAME = "Rumah Perisai Suranenggala"
AddParticipant = Callable[..., int]


def _promotion(add: AddParticipant, start: date, promo_end: date, **fields: object) -> int:
    history = CoverHistory(Standing.MEMBER, start, promo_end, frozenset())
    return add(registered_on=start, history=history, **fields)


def _paid(
    add: AddParticipant, start: date, promo_end: date, months: list[date], **f: object
) -> int:
    history = CoverHistory(Standing.MEMBER, start, promo_end, frozenset(months))
    return add(registered_on=start, history=history, **f)


def _people(add: AddParticipant) -> dict[str, int]:
    """Everyone a list on 27 Nov 2026 must take or leave out."""
    return {
        # free cover ends 30 Nov 2026 (3 days left)
        "free": _promotion(
            add, date(2026, 8, 10), date(2026, 11, 30), name="Siti Aminah", phone="081234567890"
        ),
        # paid Sep–Nov 2026 after the promotion: paid cover ends 30 Nov 2026, with JHT
        "paid": _paid(
            add,
            date(2026, 5, 10),
            date(2026, 8, 31),
            [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)],
            name="Budi Santoso",
            phone="085711112222",
            with_jht=True,
        ),
        # free cover ended 30 Sep: in arrears, can pay until 31 Dec
        "arrears": _promotion(
            add, date(2026, 6, 10), date(2026, 9, 30), name="Dedi Kurniawan", phone="081300001111"
        ),
        # free cover ended 31 Aug: in arrears, lapses after 30 Nov (most urgent)
        "arrears_soon": _promotion(
            add, date(2026, 5, 10), date(2026, 8, 31), name="Wati Susilawati", phone="081355556666"
        ),
        # no phone: listed, without a WhatsApp link
        "no_phone": _promotion(
            add, date(2026, 8, 12), date(2026, 11, 30), name="Carsim", phone=None
        ),
        # free cover ended 31 Jul: lapsed since 1 Nov
        "lapsed": _promotion(add, date(2026, 4, 10), date(2026, 7, 31), name="Lapsed Orang"),
        # would be listed, but the registration was withdrawn
        "withdrawn": add(
            registered_on=date(2026, 8, 10),
            history=CoverHistory(
                Standing.WITHDRAWN, date(2026, 8, 10), date(2026, 11, 30), frozenset()
            ),
            name="Withdrawn Orang",
        ),  # fmt: skip
        # free cover ends 31 Jan 2027: not soon
        "later": _promotion(add, date(2026, 10, 1), date(2027, 1, 31), name="Later Orang"),
        # paid until 31 Mar 2027
        "paid_far": _paid(
            add,
            date(2026, 5, 10),
            date(2026, 8, 31),
            [date(2026, m, 1) for m in (9, 10, 11, 12)] + [date(2027, m, 1) for m in (1, 2, 3)],
            name="Far Orang",
        ),
    }


def _ids(rows: list[CallRow]) -> list[int]:
    return [row.participant_id for row in rows]


def test_who_is_on_the_list_and_in_what_order(app: App, add_participant: AddParticipant) -> None:
    people = _people(add_participant)
    rows = call_list(app.db, TODAY)
    # Arrears first, closest to lapsing first; then the fewest days left, by name.
    assert _ids(rows) == [
        people["arrears_soon"],
        people["arrears"],
        people["paid"],  # Budi
        people["no_phone"],  # Carsim
        people["free"],  # Siti
    ]
    by_id = {row.participant_id: row for row in rows}
    free, paid = by_id[people["free"]], by_id[people["paid"]]
    arrears, soon = by_id[people["arrears"]], by_id[people["arrears_soon"]]
    assert (free.reason, free.status, free.cover_until) == (
        FREE_ENDING, Status.PROMOTION, date(2026, 11, 30),
    )  # fmt: skip
    assert (free.days_left, free.days_to_lapse) == (3, None)
    assert (paid.reason, paid.status, paid.days_left) == (PAID_ENDING, Status.ACTIVE, 3)
    assert (arrears.reason, arrears.status) == (ARREARS, Status.ARREARS)
    # Cover ended 30 Sep: 58 days ago; payable until 31 Dec: 34 days left to pay.
    assert (arrears.days_left, arrears.pay_until, arrears.days_to_lapse) == (
        -58, date(2026, 12, 31), 34,
    )  # fmt: skip
    assert (soon.days_left, soon.pay_until, soon.days_to_lapse) == (-88, date(2026, 11, 30), 3)
    assert free.registration_no.startswith("RP3209A-") and free.phone == "081234567890"
    assert free.desa_name == "Sampiran" and free.status_text == _id("Free cover (promotion)")
    assert free.last_outcome is None and free.last_called_at is None


def test_what_one_month_costs_is_what_the_payment_dialog_asks(
    app: App, add_participant: AddParticipant
) -> None:
    people = _people(add_participant)
    rows = {row.participant_id: row for row in call_list(app.db, TODAY)}
    for key in ("free", "paid", "arrears", "arrears_soon"):
        who = people[key]
        assert rows[who].monthly_dues == payment_options(app.db, who).plan(1).total
    assert rows[people["free"]].monthly_dues == 16_800
    assert rows[people["paid"]].monthly_dues == 36_800  # with JHT


@pytest.mark.parametrize(
    ("day", "listed"), [(date(2026, 11, 16), True), (date(2026, 11, 15), False)]
)
def test_cover_ending_exactly_n_days_ahead_is_listed_one_day_more_is_not(
    app: App, add_participant: AddParticipant, day: date, listed: bool
) -> None:
    who = _promotion(add_participant, date(2026, 8, 10), date(2026, 11, 30))
    rows = call_list(app.db, day, within_days=14)  # 16 Nov + 14 = 30 Nov
    assert (who in _ids(rows)) is listed
    if listed:
        assert rows[0].days_left == 14


def test_the_last_day_of_cover_and_of_arrears_are_still_listed(
    app: App, add_participant: AddParticipant
) -> None:
    who = _promotion(add_participant, date(2026, 8, 10), date(2026, 11, 30))
    ends_today = call_list(app.db, date(2026, 11, 30), within_days=0)
    assert _ids(ends_today) == [who] and ends_today[0].days_left == 0
    first_arrears_day = call_list(app.db, date(2026, 12, 1), within_days=0)
    assert first_arrears_day[0].reason == ARREARS and first_arrears_day[0].days_left == -1
    last_day = call_list(app.db, date(2027, 2, 28), within_days=0)  # M+3 = February
    assert _ids(last_day) == [who] and last_day[0].days_to_lapse == 0
    assert call_list(app.db, date(2027, 3, 1)) == []  # lapsed


def test_a_longer_horizon_takes_later_ends_too(app: App, add_participant: AddParticipant) -> None:
    people = _people(add_participant)
    ids = _ids(call_list(app.db, TODAY, within_days=65))  # to 31 Jan 2027
    assert people["later"] in ids and people["paid_far"] not in ids
    assert people["lapsed"] not in ids and people["withdrawn"] not in ids
    with pytest.raises(UserError) as refused:
        call_list(app.db, TODAY, within_days=-1)
    assert refused.value.key == "call_days"


def test_filter_by_desa_and_by_registering_volunteer(
    app: App, add_participant: AddParticipant, volunteer: Actor
) -> None:
    here = _promotion(add_participant, date(2026, 8, 10), date(2026, 11, 30))
    there = _promotion(
        add_participant, date(2026, 8, 10), date(2026, 11, 30), desa_code="32.09.14.2002"
    )
    mine = _promotion(
        add_participant,
        date(2026, 8, 10),
        date(2026, 11, 30),
        registered_by_id=volunteer.volunteer_id,
    )
    assert _ids(call_list(app.db, TODAY, desa_code="32.09.14.2002")) == [there]
    assert call_list(app.db, TODAY, desa_code="32.09.14.2002")[0].desa_name == "Ciperna"
    assert _ids(call_list(app.db, TODAY, volunteer_id=volunteer.volunteer_id)) == [mine]
    assert set(_ids(call_list(app.db, TODAY))) == {here, there, mine}


def _id(text: str, **params: object) -> str:
    with speaking("id"):
        return tr(text, **params)


def test_the_three_messages_say_the_dates_the_amount_and_the_post(
    app: App, add_participant: AddParticipant
) -> None:
    people = _people(add_participant)
    rows = {row.participant_id: row for row in call_list(app.db, TODAY)}
    free, paid = rows[people["free"]].message, rows[people["paid"]].message
    arrears = rows[people["arrears"]].message
    with speaking("id"):
        nov30, sep30, dec31 = (
            formats.long_day(d) for d in (date(2026, 11, 30), date(2026, 9, 30), date(2026, 12, 31))
        )
        basic, jht = formats.money(16_800), formats.money(36_800)
    assert nov30 == "30 November 2026" and dec31 == "31 Desember 2026" and basic == "Rp 16.800"
    for message, name in (
        (free, "Siti Aminah"),
        (paid, "Budi Santoso"),
        (arrears, "Dedi Kurniawan"),
    ):
        assert message.startswith(_id(calls._GREETING, name=name, post=POST_NAME))
        assert message.endswith(_id(calls._COME))
    assert _id(calls._FREE_ENDS, end=nov30) in free and basic in free
    assert _id(calls._PAID_ENDS, end=nov30) in paid and jht in paid
    assert _id(calls._ARREARS_TEXT, end=sep30, last_day=dec31) in arrears and basic in arrears
    assert len({free.split(".")[1], paid.split(".")[1], arrears.split(".")[1]}) == 3


def test_the_message_is_indonesian_whatever_the_screens_language(
    app: App, add_participant: AddParticipant
) -> None:
    _promotion(add_participant, date(2026, 6, 10), date(2026, 9, 30), name="Dedi")
    with speaking("en"):
        row = call_list(app.db, TODAY)[0]
        assert row.status_text == "In arrears"
    assert "31 Desember 2026" in row.message


def test_the_whatsapp_link_carries_the_number_and_the_message(
    app: App, add_participant: AddParticipant
) -> None:
    people = _people(add_participant)
    rows = {row.participant_id: row for row in call_list(app.db, TODAY)}
    free = rows[people["free"]]
    assert free.whatsapp_url is not None
    link = urlsplit(free.whatsapp_url)
    assert (link.scheme, link.netloc, link.path) == ("https", "wa.me", "/6281234567890")
    assert parse_qs(link.query)["text"] == [free.message]
    assert " " not in free.whatsapp_url
    assert rows[people["no_phone"]].phone is None
    assert rows[people["no_phone"]].whatsapp_url is None
    assert calls.whatsapp_number("0857-1111-2222") == "6285711112222"


def test_a_call_is_recorded_audited_and_shown_next_time(
    app: App, add_participant: AddParticipant, volunteer: Actor, clock: FakeClock
) -> None:
    who = _promotion(add_participant, date(2026, 8, 10), date(2026, 11, 30))
    first = record_call(app.db, who, "no_answer", volunteer)
    clock.advance(hours=2)
    record_call(app.db, who, "promised", volunteer, note="  Bayar   hari Senin ")
    row = call_list(app.db, TODAY)[0]
    assert row.last_outcome == "promised"
    assert row.last_called_at == datetime(2026, 11, 27, 4, 30, tzinfo=UTC)
    assert row.last_note == "Bayar hari Senin"
    assert row.last_outcome_text == _id("Promised to pay")
    history = calls_of(app.db, who)
    assert [c.outcome for c in history] == ["promised", "no_answer"]
    assert [c.key for c in history] == ["RP3209A-CALL2", "RP3209A-CALL1"]
    assert history[1].id == first and history[0].called_by == "Ujang Hidayat"
    with app.db.reading() as session:
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "call_outcomes").order_by(AuditEntry.id)
        ).all()
    assert [(a.action, a.entity_key, a.actor) for a in audit] == [
        ("create", "RP3209A-CALL1", volunteer.label),
        ("create", "RP3209A-CALL2", volunteer.label),
    ]
    assert '"outcome": "promised"' in audit[1].changes_json


def _call_count(app: App) -> int:
    with app.db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(CallOutcome)) or 0)


def test_a_bad_outcome_or_a_stranger_is_refused_and_nothing_stored(
    app: App, add_participant: AddParticipant, volunteer: Actor, post: PostSummary
) -> None:
    who = _promotion(add_participant, date(2026, 8, 10), date(2026, 11, 30))
    with pytest.raises(UserError) as refused:
        record_call(app.db, who, "maybe", volunteer)
    assert refused.value.key == "call_outcome_unknown" and "maybe" in str(refused.value)
    with pytest.raises(UserError) as too_long:
        record_call(app.db, who, "reached", volunteer, note="x" * 501)
    assert too_long.value.key == "call_note_too_long"
    with app.db.unit_of_work("cli:test") as session:
        other = Post(
            code="RP3209B", name="Pos lain", kabupaten_code="32.09", timezone="WIB",
            is_local=False, is_demo=False, signing_public_key=b"\0" * 32, key_fingerprint="0",
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
        )  # fmt: skip
        session.add(other)
        session.flush()
        other_id = other.id
    stranger = _promotion(
        add_participant,
        date(2026, 8, 10),
        date(2026, 11, 30),
        post_id=other_id,
        post_code="RP3209B",
        registration_no="RP3209B-000001",
    )
    with pytest.raises(UserError) as not_ours:
        record_call(app.db, stranger, "reached", volunteer)
    assert not_ours.value.key == "participant_missing"
    with pytest.raises(UserError):
        record_call(app.db, 999_999, "reached", volunteer)
    assert _call_count(app) == 0
    # Only this post's participants are listed.
    assert _ids(call_list(app.db, TODAY)) == [who]
    assert record_call(app.db, who, "reached", volunteer) and _call_count(app) == 1
    assert calls_of(app.db, who)[0].key == "RP3209A-CALL1"  # no number was used up


def test_the_spreadsheet_reads_back(
    app: App, add_participant: AddParticipant, volunteer: Actor, tmp_path: Path
) -> None:
    people = _people(add_participant)
    record_call(app.db, people["free"], "wrong_number", volunteer)
    rows = call_list(app.db, TODAY)
    (tmp_path / "out").mkdir()
    path = tmp_path / "out" / "daftar panggilan.xlsx"
    export_xlsx(rows, path)
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
    sheet = load_workbook(path).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    with speaking("id"):
        assert header[0] == tr("Name") and header[-1] == tr("WhatsApp")
        assert header[2] == tr("Phone") and header[10] == tr("Message")
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == len(rows) + 1
    assert sheet.column_dimensions["A"].width == 28
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    by_name = {v[0]: (v, sheet.cell(i + 2, 12)) for i, v in enumerate(values)}
    assert [v[0] for v in values] == [row.name for row in rows]
    free_row = next(r for r in rows if r.participant_id == people["free"])
    (name, reg_no, phone, desa, status, cover_end, days_left, pay_until, monthly, last,
     message, link_text), link = by_name["Siti Aminah"]  # fmt: skip
    assert (name, reg_no, phone, desa) == ("Siti Aminah", free_row.registration_no,
                                           "081234567890", "Sampiran")  # fmt: skip
    assert status == _id("Free cover (promotion)")
    assert cover_end == datetime(2026, 11, 30) and days_left == 3 and pay_until is None
    assert monthly == 16_800
    assert last == f"{_id('Wrong number')} (27 Nov 2026)"
    assert message == free_row.message
    assert link_text == free_row.whatsapp_url and link.hyperlink.target == free_row.whatsapp_url
    arrears, _link = by_name["Dedi Kurniawan"]
    assert arrears[6] == -58 and arrears[7] == datetime(2026, 12, 31)
    no_phone, no_link = by_name["Carsim"]
    assert no_phone[2] is None and no_phone[11] is None and no_link.hyperlink is None
