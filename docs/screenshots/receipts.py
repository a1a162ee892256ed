"""Render the dues receipts in this folder: a payment on A5 halves and on a 58 mm roll, and a void.

    .venv/bin/python docs/screenshots/receipts.py

A throwaway post is set up in a temporary folder with the services a post uses (set-up, accounts,
registration, payment, void), on a fixed clock (27 Nov 2026 09.30 WIB), and each receipt PDF is
turned into a PNG at 100 dpi with poppler's ``pdftoppm``.
"""

from __future__ import annotations

import subprocess
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from rumah_perisai.app import App, open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.printing.receipts import LAYOUT_A5, LAYOUT_THERMAL, receipt_pdf
from rumah_perisai.services.dues import (
    payment_options,
    receipt_document,
    take_payment,
    void_receipt,
)
from rumah_perisai.services.posts import PostSetup, set_up_post
from rumah_perisai.services.registration import RegistrationForm, register
from rumah_perisai.services.volunteers import (
    ROLE_COORDINATOR,
    ROLE_VOLUNTEER,
    AccountSetup,
    create_account,
    log_in,
)

OUT = Path(__file__).resolve().parent
NOW = datetime(2026, 11, 27, 2, 30, tzinfo=UTC)  # 09.30 WIB


def _post(root: Path) -> App:
    folder = DataFolder(root / "post")
    folder.root.mkdir(parents=True)
    app = open_app(folder, folder.sqlite_url, clock=lambda: NOW)
    setup = PostSetup("RP3209A", "Rumah Perisai Suranenggala", "32.09", "Koperasi Mitra Nelayan")
    set_up_post(app.db, app.folder, setup, "cli:screenshots")
    return app


def _participant(app: App, volunteer_pin: str) -> int:
    actor = log_in(app.db, "Ujang Hidayat", volunteer_pin)
    form = RegistrationForm(
        nik="3209145709900003", name="Siti Nur'aini", birth_place="Cirebon",
        birth_date=date(1990, 9, 17), sex="P", street="Blok Kliwon", rt="3", rw="12",
        desa_code="32.09.14.2001", phone="0812 3456 7890", occupation="Pedagang",
        income=1_000_000, with_jht=True, heir_name="Dede Sunarya", heir_relation="Suami",
        consent=True,
    )  # fmt: skip
    return register(app.db, form, actor).participant_id


def _png(pdf: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "receipt.pdf"
        source.write_bytes(pdf)
        target = OUT / name.removesuffix(".png")
        subprocess.run(
            ["pdftoppm", "-r", "100", "-png", "-singlefile", str(source), str(target)], check=True
        )
    print(OUT / name)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="rp-receipts-") as root:
        _receipts(_post(Path(root)))


def _receipts(app: App) -> None:
    try:
        create_account(app.db, AccountSetup("Dewi Lestari", "1357"), ROLE_COORDINATOR, None)
        coordinator = log_in(app.db, "Dewi Lestari", "1357")
        create_account(app.db, AccountSetup("Ujang Hidayat", "2468"), ROLE_VOLUNTEER, coordinator)
        volunteer = log_in(app.db, "Ujang Hidayat", "2468")
        participant = _participant(app, "2468")
        total = payment_options(app.db, participant).plan(3).total
        paid = take_payment(app.db, participant, 3, (total // 50_000 + 1) * 50_000, volunteer)
        payment = receipt_document(app.db, app.folder.keys, paid.receipt_id)
        _png(receipt_pdf(payment, LAYOUT_A5), "receipt-a5.png")
        _png(receipt_pdf(payment, LAYOUT_THERMAL), "receipt-thermal58.png")
        voided = void_receipt(app.db, paid.receipt_id, "Salah nominal", coordinator)
        void = receipt_document(app.db, app.folder.keys, voided.receipt_id)
        _png(receipt_pdf(void, LAYOUT_THERMAL), "receipt-void-thermal58.png")
    finally:
        app.close()


if __name__ == "__main__":
    main()
