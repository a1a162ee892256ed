"""The daily cash summary of a small day's work, as docs/screenshots/daily-summary.png.

Run: .venv/bin/python docs/screenshots/daily_summary.py (needs pdftoppm from poppler-utils).
"""
# ruff: noqa: E402  (the repository root goes on sys.path first)

import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import shutil

from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.printing.cash import daily_summary_pdf
from rumah_perisai.services.cash import close_day, close_document, till
from rumah_perisai.services.dues import payment_options, take_payment, void_receipt
from rumah_perisai.services.posts import set_up_post
from rumah_perisai.services.registration import register
from rumah_perisai.services.volunteers import (
    ROLE_COORDINATOR,
    ROLE_VOLUNTEER,
    AccountSetup,
    create_account,
    log_in,
)
from tests.conftest import CIREBON_POST, FakeClock
from tests.services.test_registration import make_nik, walk_in

root = Path(tempfile.mkdtemp()) / "data"
clock = FakeClock(datetime(2026, 11, 27, 1, 30, tzinfo=UTC))
folder = DataFolder(root)
folder.root.mkdir(parents=True)
app = open_app(folder, folder.sqlite_url, clock=clock)
set_up_post(app.db, app.folder, CIREBON_POST, "cli:shot")
create_account(app.db, AccountSetup("Dewi Lestari", "1357"), ROLE_COORDINATOR, None)
coord = log_in(app.db, "Dewi Lestari", "1357")
create_account(app.db, AccountSetup("Ujang Hidayat", "2468"), ROLE_VOLUNTEER, coord)
vol = log_in(app.db, "Ujang Hidayat", "2468")
names = [
    "Siti Aminah",
    "Dede Sunarya",
    "Nur Halimah",
    "Asep Saepudin",
    "Euis Komalasari",
    "Tarsono",
    "Wahyuningsih Puspitasari Ramadhani",
    "Carman",
]
ids = []
for i, name in enumerate(names):
    sex = "P" if i % 2 == 0 else "L"
    f = walk_in(
        name=name,
        nik=make_nik(date(1980 + i, 3, 12), sex, serial=i + 1),
        birth_date=date(1980 + i, 3, 12),
        sex=sex,
        with_jht=(i % 3 == 0),
    )
    ids.append(register(app.db, f, vol).participant_id)
clock.advance(hours=1)

# make them payable now: the promotion covers them, pay 3 months each
receipts = []
for i, who in enumerate(ids):
    clock.advance(minutes=17)
    actor = vol if i % 3 else coord
    plan = payment_options(app.db, who).plan([1, 3, 6, 12][i % 4])
    receipts.append(
        take_payment(
            app.db, who, plan.month_count, -(-plan.total // 10000) * 10000, actor
        ).receipt_id
    )
void_receipt(app.db, receipts[2], "Salah jumlah bulan", coord)
t = till(app.db)
counted = {line.volunteer_key: line.expected for line in t.lines}
first = t.lines[0]
counted[first.volunteer_key] -= 5000
cid = close_day(
    app.db, t.day, counted, coord, through_seq=t.through_seq, note="Uang kembalian kurang Rp 5.000"
)
pdf = daily_summary_pdf(close_document(app.db, cid))
app.close()
pdf_path = root.parent / "summary.pdf"
pdf_path.write_bytes(pdf)
out = ROOT / "docs" / "screenshots" / "daily-summary"
subprocess.run(["pdftoppm", "-r", "90", "-png", "-singlefile", str(pdf_path), str(out)], check=True)
shutil.rmtree(root.parent)
print(f"{out}.png")
