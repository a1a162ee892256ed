"""``paper-receipts.png``: the paper receipts dialog after a restore, as a 1366×768 laptop at
125 % shows it (1093×592 logical pixels)::

    QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=1.25 \
        .venv/bin/python docs/screenshots/paper_receipts.py

A small post made in a temporary folder (its key too): receipts 1–2 are in a backup (a copy of
its database taken while it was closed), 3–6 were printed after it; the copy is restored and
``restore.last`` written as the restore writes it. In the dialog receipt 3 is entered, 4
recorded as lost, 5 entered, and 6 typed with a wrong amount: the refusal shows.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

WORK = Path(tempfile.mkdtemp(prefix="rp-paper-shot-"))
os.environ.setdefault("RUMAH_PERISAI_KEY_STORE", "file")
os.environ.setdefault("RUMAH_PERISAI_KEY_DIR", str(WORK / "keys"))

from PySide6.QtWidgets import QApplication  # noqa: E402

from rumah_perisai.app import App, open_app  # noqa: E402
from rumah_perisai.config import DataFolder  # noqa: E402
from rumah_perisai.db.models import Setting  # noqa: E402
from rumah_perisai.i18n import set_language  # noqa: E402
from rumah_perisai.services.dues import payment_options, receipt_document, take_payment  # noqa: E402
from rumah_perisai.services.paper_receipts import (  # noqa: E402
    PaperReceipt,
    enter_paper_receipt,
    record_lost_number,
)
from rumah_perisai.services.posts import PostSetup, set_up_post  # noqa: E402
from rumah_perisai.services.registration import RegistrationForm, register  # noqa: E402
from rumah_perisai.services.restore_state import RESTORE_SETTING  # noqa: E402
from rumah_perisai.services.volunteers import (  # noqa: E402
    ROLE_COORDINATOR,
    ROLE_VOLUNTEER,
    AccountSetup,
    Actor,
    create_account,
    log_in,
)
from rumah_perisai.ui.paper_receipts_dialog import PaperReceiptsDialog  # noqa: E402

OUT = Path(__file__).resolve().parent / "paper-receipts.png"
SIZE = (1093, 592)  # 1366×768 at 125 %, less the taskbar
PEOPLE = [
    ("3209144101900011", "Siti Rahayu", "P"), ("3209140203850012", "Carsim", "L"),
    ("3209145506920013", "Nur Aisyah Lestari", "P"), ("3209141207880014", "Dadang Suhendar", "L"),
]  # fmt: skip


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 5, 1, 5, tzinfo=UTC)  # Sat 5 Dec 2026, 08.05 WIB

    def __call__(self) -> datetime:
        return self.now


def _register(app: App, actor: Actor, nik: str, name: str, sex: str) -> int:
    day = int(nik[6:8]) - (40 if sex == "P" else 0)
    form = RegistrationForm(
        nik=nik, name=name, birth_place="Cirebon",
        birth_date=datetime(1900 + int(nik[10:12]), int(nik[8:10]), day).date(), sex=sex,
        street="Jl. Pantura", rt="001", rw="002", desa_code="32.09.14.2001",
        phone="081234567890", occupation="Nelayan", income=1_000_000, with_jht=False,
        heir_name="", heir_relation="", consent=True,
    )  # fmt: skip
    return register(app.db, form, actor).participant_id


def _pay(app: App, who: int, months: int, actor: Actor) -> int:
    plan = payment_options(app.db, who).plan(months)
    return take_payment(app.db, who, months, plan.total, actor).receipt_id


def _paper(doc: object, **changes: object) -> PaperReceipt:
    from dataclasses import replace

    from rumah_perisai.services.dues import ReceiptDoc

    assert isinstance(doc, ReceiptDoc)
    entry = PaperReceipt(
        number=doc.number, printed_on=doc.issued_at.date(),
        printed_time=doc.issued_at.time().replace(second=0, microsecond=0),
        participant=doc.registration_no, first_month=doc.lines[0].month,
        month_count=doc.month_count, total=doc.total, collector=doc.volunteer_name,
    )  # fmt: skip
    return replace(entry, **changes)  # type: ignore[arg-type]


def main() -> None:
    set_language("id")
    qt = QApplication.instance() or QApplication(sys.argv)
    clock = Clock()
    folder = DataFolder(WORK / "post")
    app = open_app(folder, folder.sqlite_url, clock=clock)
    setup = PostSetup("RP3209A", "Rumah Perisai Suranenggala", "32.09", "Koperasi Mitra Nelayan")
    set_up_post(app.db, folder, setup, "cli:shot")
    create_account(app.db, AccountSetup("Euis Komalasari", "135790"), ROLE_COORDINATOR, None)
    euis = log_in(app.db, "Euis Komalasari", "135790")
    create_account(app.db, AccountSetup("Asep Saepudin", "246801"), ROLE_VOLUNTEER, euis)
    asep = log_in(app.db, "Asep Saepudin", "246801")
    ids = [_register(app, asep, *person) for person in PEOPLE]
    _pay(app, ids[0], 1, asep)
    _pay(app, ids[1], 3, asep)
    clock.now += timedelta(hours=7, minutes=57)  # the daily close's backup, 16.02
    app.close()
    shutil.copyfile(folder.database, WORK / "backup.sqlite3")
    made = clock.now
    app = open_app(folder, folder.sqlite_url, clock=clock)
    printed = []
    for who, months, minutes in ((2, 3, 18), (3, 1, 4), (0, 1, 25), (1, 1, 9)):
        clock.now += timedelta(minutes=minutes)
        printed.append(receipt_document(app.db, folder.keys, _pay(app, ids[who], months, asep)))
    app.close()
    clock.now = datetime(2026, 12, 7, 1, 15, tzinfo=UTC)  # Monday, on the new laptop
    for suffix in ("", "-wal", "-shm"):
        Path(f"{folder.database}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(WORK / "backup.sqlite3", folder.database)
    app = open_app(folder, folder.sqlite_url, clock=clock)
    note = {"backup_created_at": made.isoformat(), "restored_at": clock.now.isoformat(),
            "kind": "daily", "post_code": "RP3209A", "last_receipt": {"year": 2026, "seq": 2},
            "last_batch_seq": 0}  # fmt: skip
    with app.db.unit_of_work("cli:restore") as session:
        session.add(Setting(key=RESTORE_SETTING, value_json=json.dumps(note)))
    euis = log_in(app.db, "Euis Komalasari", "135790")
    enter_paper_receipt(app.db, _paper(printed[0]), euis)
    record_lost_number(app.db, printed[1].number, "lembar pos basah kena hujan", euis)
    enter_paper_receipt(app.db, _paper(printed[2]), euis)

    dialog = PaperReceiptsDialog(app.db, euis)
    dialog.resize(*SIZE)
    dialog.show()
    sixth = printed[3]
    dialog.set_printed(sixth.issued_at.date(), sixth.issued_at.time())
    dialog.participant.setText(sixth.registration_no)
    dialog.set_first_month(sixth.lines[0].month)
    dialog.amount.setText("16.000")
    dialog.collector.setCurrentIndex(dialog.collector.findText("Asep Saepudin"))
    dialog.save()  # the wrong amount: refused, one line
    for _ in range(5):
        qt.processEvents()
    dialog.grab().save(str(OUT))
    print(OUT)
    dialog.close()
    app.close()
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
