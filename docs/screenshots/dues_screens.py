"""Take the dues screenshots in this folder, as a post's laptop shows them: 1366×768 at 125%.

    QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR=1.25 xvfb-run -a -s "-screen 0 1366x768x24" \\
        .venv/bin/python docs/screenshots/dues_screens.py

or, where X is not at hand, on an offscreen screen of the same size (no window frames)::

    QT_QPA_PLATFORM="offscreen:configfile=docs/screenshots/offscreen-1366x768.json" \\
        QT_SCALE_FACTOR=1.25 .venv/bin/python docs/screenshots/dues_screens.py

A throwaway post is set up under /tmp through the services a post uses (set-up, accounts,
registrations, payments, a void, a closed and deposited day), on a clock that moves from June
to 27 Nov 2026 09.30 WIB. Then the window opens as the coordinator and the screen is grabbed
with the payment dialog, the void dialog, the participant's Dues tab and the cash window.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from rumah_perisai.app import App, open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.services.cash import close_day, record_deposit, till
from rumah_perisai.services.dues import payment_options, take_payment, void_receipt
from rumah_perisai.services.posts import PostSetup, set_up_post
from rumah_perisai.services.registration import RegistrationForm, register
from rumah_perisai.services.volunteers import (
    ROLE_COORDINATOR,
    ROLE_VOLUNTEER,
    AccountSetup,
    Actor,
    create_account,
    log_in,
)
from rumah_perisai.ui.main_window import MainWindow

OUT = Path(__file__).resolve().parent


class Clock:
    """The post's clock, moved by hand (aware UTC)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, day: date, hour: int = 9, minute: int = 30) -> None:
        """``day`` at ``hour``:``minute`` WIB."""
        self.now = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(
            hours=7
        )


def grab_screen(name: str, folder: Path = OUT) -> None:
    QApplication.processEvents()
    QTest.qWait(400)
    screen = QApplication.primaryScreen()
    screen.grabWindow(0).save(str(folder / name))
    print(folder / name)


def _form(nik: str, name: str, born: date, sex: str, *, jht: bool = False) -> RegistrationForm:
    return RegistrationForm(
        nik=nik, name=name, birth_place="Cirebon", birth_date=born, sex=sex,
        street="Blok Kliwon", rt="3", rw="12", desa_code="32.09.14.2001",
        phone="0812 3456 7890", occupation="Pedagang", income=1_000_000, with_jht=jht,
        heir_name="Dede Sunarya", heir_relation="Suami" if sex == "P" else "Istri",
        consent=True,
    )  # fmt: skip


def _pay(app: App, who: int, months: int, actor: Actor, cash: int | None = None) -> int:
    plan = payment_options(app.db, who).plan(months)
    expect = [m.month for m in plan.months]
    paid = take_payment(
        app.db, who, months, plan.total if cash is None else cash, actor, expect_months=expect
    )
    return paid.receipt_id


def _close_as_expected(app: App, day: date, actor: Actor) -> None:
    counted = till(app.db, day)
    expected = {line.volunteer_key: line.expected for line in counted.lines}
    close_day(app.db, day, expected, actor, through_seq=counted.through_seq)


def build_post(clock: Clock) -> tuple[App, dict[str, int]]:
    folder = DataFolder(Path(tempfile.mkdtemp(prefix="rp-dues-screens-")) / "post")
    folder.root.mkdir(parents=True)
    app = open_app(folder, folder.sqlite_url, clock=clock)
    setup = PostSetup("RP3209A", "Rumah Perisai Suranenggala", "32.09", "Koperasi Mitra Nelayan")
    set_up_post(app.db, app.folder, setup, "cli:screenshots")
    create_account(app.db, AccountSetup("Dewi Lestari", "135792"), ROLE_COORDINATOR, None)
    dewi = log_in(app.db, "Dewi Lestari", "135792")
    create_account(app.db, AccountSetup("Ujang Hidayat", "246813"), ROLE_VOLUNTEER, dewi)
    create_account(app.db, AccountSetup("Asep Saepudin", "471953"), ROLE_VOLUNTEER, dewi)
    ujang = log_in(app.db, "Ujang Hidayat", "246813")
    asep = log_in(app.db, "Asep Saepudin", "471953")

    people: dict[str, int] = {}
    # January: free cover to 30 Apr, never paid: lapsed since 1 Sep.
    people["fauzi"] = register(
        app.db, _form("3209140302800005", "Ahmad Fauzi", date(1980, 2, 3), "L"), asep
    ).participant_id
    clock.set(date(2026, 6, 10))
    # June: free cover to 30 Sep; nobody paid October or November: in arrears now.
    people["dede"] = register(
        app.db, _form("3209141204850002", "Dede Sunarya", date(1985, 4, 12), "L"), ujang
    ).participant_id
    people["rizki"] = register(
        app.db, _form("3209151204990003", "Muhammad Rizki", date(1999, 4, 12), "L"), asep
    ).participant_id
    clock.set(date(2026, 8, 3))
    people["siti"] = register(
        app.db,
        _form("3209145709900003", "Siti Nur'aini", date(1990, 9, 17), "P", jht=True),
        ujang,
    ).participant_id
    people["euis"] = register(
        app.db, _form("3209144503920004", "Euis Komalasari", date(1992, 3, 5), "P"), asep
    ).participant_id

    # 20 Nov closed and taken to the bank; 26 Nov closed, its cash still at the post.
    clock.set(date(2026, 11, 20), 10)
    _pay(app, people["rizki"], 3, asep)
    _close_as_expected(app, date(2026, 11, 20), dewi)
    clock.set(date(2026, 11, 21), 9)
    record_deposit(
        app.db, bank="bni", reference="BNI 0042 7781", deposited_on=date(2026, 11, 21),
        amount=50_400, close_ids=[1], actor=dewi,
    )  # fmt: skip
    clock.set(date(2026, 11, 26), 11)
    _pay(app, people["euis"], 1, asep)
    _close_as_expected(app, date(2026, 11, 26), dewi)

    # Today: Siti pays December (her free cover ended 30 Nov), then a month paid by mistake is
    # voided; Ujang and Dewi take more dues.
    clock.set(date(2026, 11, 27), 8, 5)
    _pay(app, people["siti"], 1, ujang, 40_000)
    clock.set(date(2026, 11, 27), 8, 20)
    wrong = _pay(app, people["siti"], 1, ujang, 40_000)
    clock.set(date(2026, 11, 27), 8, 40)
    void_receipt(app.db, wrong, "Bulan Januari dibayar dua kali", dewi)
    clock.set(date(2026, 11, 27), 9, 0)
    _pay(app, people["siti"], 3, ujang, 120_000)
    clock.set(date(2026, 11, 27), 9, 10)
    _pay(app, people["euis"], 1, dewi, 20_000)
    clock.set(date(2026, 11, 27), 9, 30)
    return app, people


def main() -> None:
    """With ``--extra DIR``: more screens (a lapsed participant, the previews) into DIR."""
    extra = Path(sys.argv[sys.argv.index("--extra") + 1]) if "--extra" in sys.argv else None
    qt_app = QApplication(sys.argv[:1])
    clock = Clock()
    app, people = build_post(clock)
    try:
        coordinator = log_in(app.db, "Dewi Lestari", "135792")
        window = MainWindow(app, coordinator)
        window.showMaximized()

        # The payment dialog: Dede in arrears, three months, cash typed.
        window.open_participant(people["dede"])
        view = window.participant_dialog
        view.pay()
        pay = view.payment_dialog
        pay.count_buttons[3].click()
        QTest.keyClicks(pay.cash, "60000")
        grab_screen("payment-dialog.png")
        if extra:  # more to look at, not kept: too little cash; the receipt preview on a roll
            pay.cash.setText("40.000")
            grab_screen("payment-too-little.png", extra)
            pay.cash.setText("50400")
            window.set_receipt_layout("thermal58")
            pay.save()
            grab_screen("receipt-preview-thermal.png", extra)
            pay.receipt_dialog.close()
            window.set_receipt_layout("a5")
        else:
            pay.done(0)  # Escape would ask first: cash is typed
        view.close()
        if extra:
            window.open_participant(people["fauzi"])
            window.participant_dialog.pay()
            grab_screen("payment-lapsed.png", extra)
            window.participant_dialog.payment_dialog.reject()
            window.participant_dialog.close()

        # The participant's Dues tab: payments, a void, what voided what.
        window.open_participant(people["siti"])
        view = window.participant_dialog
        view.tabs.setCurrentIndex(view.dues_tab)
        view.receipts.selectRow(0)
        grab_screen("participant-dues.png")

        view.close()

        # The void dialog, reason typed: Rizki's October–December, from a closed day (a refund).
        window.open_participant(people["rizki"])
        view = window.participant_dialog
        view.tabs.setCurrentIndex(view.dues_tab)
        view.receipts.selectRow(0)
        view.ask_void()
        QTest.keyClicks(view.void_dialog.reason, "Salah peserta: uang milik Dede")
        grab_screen("void-dialog.png")
        view.void_dialog.done(0)  # Escape would ask first: a reason is typed
        if extra:  # the reprint preview, as the volunteer sees it
            view.reprint()
            grab_screen("receipt-preview-a5.png", extra)
            view.receipt_dialog.close()
        view.close()

        # The cash window: today's till, one count short, with its note.
        window.open_cash()
        cash = window.cash_dialog
        for row in cash.count_rows:
            amount = row.line.expected - (500 if row.line.name.startswith("Ujang") else 0)
            QTest.keyClicks(row.counted, str(amount))
        QTest.keyClicks(cash.note, "Kembalian Rp 500 dari dompet sendiri")
        grab_screen("cash-close.png")
        cash.tabs.setCurrentIndex(1)
        cash.closes_table.selectRow(0)
        grab_screen("cash-closes.png")
        if extra:
            cash.tabs.setCurrentIndex(0)
            cash.close_the_day()
            grab_screen("cash-summary.png", extra)
            cash.summary_dialog.close()
            cash.tabs.setCurrentIndex(1)
            cash.select_closes([cash.close_rows[0].id])  # today's close, just made
            cash.ask_deposit()
            grab_screen("cash-deposit.png", extra)
            cash.deposit_dialog.done(0)
        if extra:  # the two small choices: a card's reprint reason, the receipts' paper
            from rumah_perisai.ui.card_dialog import ReprintReasonDialog
            from rumah_perisai.ui.receipt_dialog import ReceiptLayoutDialog

            for small, name in (
                (ReprintReasonDialog("Siti Aminah sudah punya kartu.", window), "reprint.png"),
                (ReceiptLayoutDialog("a5", window), "receipt-layout.png"),
            ):
                small.open()
                grab_screen(name, extra)
                small.done(0)
        cash.close()
        window.close()
        del qt_app
    finally:
        app.close()
        shutil.rmtree(app.folder.root.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
