"""A person's report (issue 19, item 1): everything the post holds about them, the batches that
carried it to the branch, who changed it and who looked, from one snapshot; the PDF in Indonesian
and the JSON with English keys. The fake clock stands at 27 Nov 2026 09:30 WIB."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from rumah_perisai.app import App
from rumah_perisai.db.models import AuditEntry, Batch, Participant
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.domain.personal_data import personal_data_rules
from rumah_perisai.errors import UserError
from rumah_perisai.printing.personal_report import personal_report_pdf, report_file_name
from rumah_perisai.services.access import Look, record_access
from rumah_perisai.services.call_list import record_call
from rumah_perisai.services.dues import payment_options, take_payment
from rumah_perisai.services.erasure import (
    erase_participant_row,
    forget_call_notes,
    scrub_audit,
)
from rumah_perisai.services.personal_report import (
    find_participant,
    personal_report,
    report_json,
)
from rumah_perisai.services.registration import correct
from rumah_perisai.services.volunteers import Actor
from tests.conftest import FakeClock


def _pages(pdf: bytes) -> list[str]:
    """Each page's text, its spaces and line breaks made single spaces (QtPdf)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtPdf import QPdfDocument

    data = QByteArray(pdf)  # kept alive while the document reads it
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    pages = (document.getAllText(page).text() for page in range(document.pageCount()))
    return [" ".join(text.replace("\ufffe", "-").split()) for text in pages]


def _member(add_participant: Callable[..., int]) -> int:
    """Registered 1 Jun 2026, free cover to 30 Sep 2026: October on is paid."""
    start = date(2026, 6, 1)
    history = CoverHistory(Standing.MEMBER, start, date(2026, 9, 30), frozenset())
    return add_participant(
        registered_on=start, history=history, name="Siti Aminah", phone="081234567890",
        street="Jl. Raya Pantura Blok Pesisir Gang Mawar No. 17, dekat TPI Suranenggala Kulon",
    )  # fmt: skip


def _pay(app: App, who: int, months: int, actor: Actor) -> int:
    plan = payment_options(app.db, who).plan(months)
    expect = [m.month for m in plan.months]
    return take_payment(app.db, who, months, plan.total, actor, expect_months=expect).receipt_id


def _batch(app: App, seq: int) -> None:
    """A weekly batch as the export records it: every change since the previous one."""
    with app.db.unit_of_work("cli:test") as session:
        newest = session.scalar(select(func.max(AuditEntry.change_no))) or 0
        before = session.scalar(select(func.max(Batch.change_to))) or 0
        session.add(
            Batch(
                post_id=1, seq=seq, created_at=app.db.clock(), change_from=before,
                change_to=newest, file_hash=f"{seq:064d}", file_name=f"batch-{seq}.rpb",
                counts_json="{}", state="written",
            )
        )  # fmt: skip


@pytest.fixture
def siti(app: App, add_participant: Callable[..., int], volunteer: Actor, clock: FakeClock) -> int:
    who = _member(add_participant)
    _batch(app, 1)  # carried her registration
    clock.advance(hours=1)
    _pay(app, who, 3, volunteer)  # October to December
    correct(app.db, who, {"phone": "081299998888"}, volunteer)
    record_call(app.db, who, "promised", volunteer, note="bayar hari Jumat")
    _batch(app, 2)  # carried the receipt, its months and the new phone
    record_access(app.db, volunteer, Look.VIEW, [who])
    return who


def test_the_report_holds_every_section_from_the_database(
    app: App, siti: int, coordinator: Actor, volunteer: Actor
) -> None:
    report = personal_report(app.db, siti, coordinator)
    fields = {row.key: row.value for row in report.fields}
    assert fields["name"] == "Siti Aminah"
    assert fields["phone"] == "081299998888"
    assert fields["registered_on"] == date(2026, 6, 1)
    assert [c.kind for c in report.cover] == ["promotion", "paid"]
    (receipt,) = report.receipts
    assert [m.month for m in receipt.months] == [date(2026, m, 1) for m in (10, 11, 12)]
    assert receipt.issued_by == "Ujang Hidayat"
    (call,) = report.calls
    assert (call.outcome, call.note, call.called_by) == ("promised", "bayar hari Jumat",
                                                         "Ujang Hidayat")  # fmt: skip
    # Batch 1 carried the registration; batch 2 the payment and the corrected phone.
    assert [(b.seq, sorted(b.carried)) for b in report.batches] == [
        (1, ["cover_periods", "participants"]),
        (2, ["cover_periods", "participants", "receipt_months", "receipts"]),
    ]
    phone = [h for h in report.history if h.action == "update" and "phone" in h.changes]
    assert phone and phone[0].changes["phone"] == ["081234567890", "081299998888"]
    assert phone[0].who == "Ujang Hidayat"
    assert [(a.who, a.action) for a in report.accesses] == [("Ujang Hidayat", "view")]


def test_only_a_coordinator_makes_it_and_an_unknown_number_is_refused(
    app: App, siti: int, volunteer: Actor
) -> None:
    with pytest.raises(UserError) as refused:
        personal_report(app.db, siti, volunteer)
    assert refused.value.key == "coordinator_only"
    with pytest.raises(UserError) as unknown:
        find_participant(app.db, "RP3209A-999999")
    assert unknown.value.message() == "Tidak ada peserta RP3209A-999999 di pos ini."
    assert find_participant(app.db, "rp3209a-000001") == siti


def test_the_json_has_english_keys_iso_dates_and_who_looked(
    app: App, siti: int, coordinator: Actor
) -> None:
    data = json.loads(json.dumps(report_json(personal_report(app.db, siti, coordinator))))
    assert data["participant"]["name"] == "Siti Aminah"
    assert data["participant"]["birth_date"] == "1990-01-01"
    assert data["participant"]["registered_at"] == "2026-01-15T02:00:00Z"
    (look,) = data["accesses"]
    assert look == {"at": "2026-11-27T03:30:00Z", "who": "Ujang Hidayat", "action": "view",
                    "what": None}  # fmt: skip
    assert data["receipts"][0]["months"][0]["month"] == "2026-10-01"
    assert set(data) >= {"cover_periods", "cards", "calls", "data_requests", "batches",
                         "history"}  # fmt: skip
    assert "pin_hash" not in json.dumps(data)


def test_the_pdf_is_in_indonesian_with_page_numbers(
    qapp: Any, app: App, siti: int, coordinator: Actor
) -> None:
    report = personal_report(app.db, siti, coordinator)
    pages = _pages(personal_report_pdf(report))
    text = " ".join(pages)
    assert "LAPORAN DATA PRIBADI" in text
    assert "Dicetak 27 Nov 2026 10.30 WIB oleh Dewi Lestari" in text
    assert "Siti Aminah" in text and "Riwayat perubahan" in text and "Siapa yang melihat" in text
    assert f"Halaman 1 dari {len(pages)}" in text
    assert "bayar hari Jumat" in text
    assert report_file_name(report.registration_no) == "laporan-data-pribadi-RP3209A-000001.pdf"


def _erase(app: App, who: int) -> None:
    """What an erasure does to the rows (services.erasure), as the request service calls it."""
    rules = personal_data_rules(date(2026, 11, 27))
    with app.db.unit_of_work("cli:test") as session:
        person = session.get(Participant, who)
        assert person is not None
        erase_participant_row(person, key=b"k" * 32, rules=rules, at=app.db.clock(),
                              day=date(2026, 11, 27), reason="atas permintaan")  # fmt: skip
        scrub_audit(session, [str(who)], rules, person.registration_no)
        forget_call_notes(session, who)


def test_an_erased_person_s_report_keeps_receipts_and_says_what_was_erased(
    qapp: Any, app: App, siti: int, coordinator: Actor
) -> None:
    _erase(app, siti)
    report = personal_report(app.db, siti, coordinator)
    rows = {row.key: row for row in report.fields}
    assert rows["name"].erased and rows["phone"].erased and rows["nik"].erased
    assert rows["birth_date"].value == 1990  # kept to its year
    assert len(report.receipts) == 1  # a financial record, kept
    pdf = personal_report_pdf(report)
    text = " ".join(_pages(pdf))
    assert "dihapus atas permintaan" in text
    assert "Siti Aminah" not in text and "081299998888" not in text
    assert "1990 (tanggal dan bulan dihapus atas permintaan)" in text
    data = report_json(report)
    assert data["participant"]["name"] == "" or data["participant"]["name"] is None
    assert "name" in data["erased_fields"]
    assert "Siti Aminah" not in json.dumps(data, default=str)


def test_many_receipts_and_a_long_address_run_over_pages(
    qapp: Any, app: App, add_participant: Callable[..., int], volunteer: Actor, coordinator: Actor,
    clock: FakeClock,
) -> None:  # fmt: skip
    who = _member(add_participant)
    for _ in range(14):
        _pay(app, who, 1, volunteer)
        clock.advance(minutes=5)
    report = personal_report(app.db, who, coordinator)
    assert len(report.receipts) == 14
    pages = _pages(personal_report_pdf(report))
    assert len(pages) >= 2
    text = " ".join(pages)
    assert "Gang Mawar No. 17" in text
    assert all(r.number in text for r in report.receipts)
