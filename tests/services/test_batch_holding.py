"""What a batch holds (issue 17, item 8): one count from its parts' rows, and a breakdown that
adds up to it whatever the manifest's summary says."""

from __future__ import annotations

from rumah_perisai.services.batch_holding import held_total, holding, part_text

PARTS = {
    "posts": 1, "volunteers": 1, "participants": 5, "cover_periods": 9, "receipts": 4,
    "receipt_months": 12, "receipt_gaps": 0, "card_issues": 2, "daily_closes": 1,
    "daily_close_lines": 3, "deposits": 0, "deposit_closes": 0, "audit_log": 40,
}  # fmt: skip
SUMMARY = {"registrations": 3, "participant_changes": 2, "payments": 3, "voids": 1, "refunds": 0}


def test_a_batch_holds_what_volunteers_did_and_the_breakdown_adds_up() -> None:
    held = holding(PARTS, SUMMARY)
    assert held.total == held_total(PARTS) == 1 + 5 + 4 + 2 + 1  # no cover periods, no history
    assert held.text() == (
        "13 catatan: 3 pendaftaran baru, 2 perubahan data peserta, 3 pembayaran, "
        "1 kuitansi dibatalkan, 2 kartu dicetak, 1 tutup kas harian, "
        "1 akun relawan baru atau diubah."
    )


def test_a_summary_that_does_not_add_up_still_gives_a_breakdown_that_does() -> None:
    older = holding(PARTS, {})  # a batch without a summary: participants count as registrations
    assert older.total == 13 and older.count("registrations") == 5
    wrong = holding(PARTS, {"registrations": 9, "payments": 1})
    assert wrong.total == 13 and sum(count for _kind, count in wrong.kinds) == 13
    assert holding({}, {}).text() == "0 catatan."


def test_every_part_of_a_batch_file_has_words() -> None:
    assert part_text("cover_periods") == "masa perlindungan"
    assert part_text("audit_log") == "riwayat perubahan (siapa mengubah apa)"
