"""A post restored from a backup, with receipts printed after it on paper only (issue 16).

What a restore leaves, made without the restore itself: the post's SQLite file is copied while
the post is closed (what a backup holds); more payments are taken (their receipts printed: the
paper halves, kept here as ``ReceiptDoc``); then the copy is put back and ``restore.last``
written into it, as the restore does. Everything real: files, databases, the branch.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import Setting
from rumah_perisai.domain.receipts import receipt_number
from rumah_perisai.services.dues import ReceiptDoc, receipt_document
from rumah_perisai.services.paper_receipts import PaperReceipt
from rumah_perisai.services.restore_state import RESTORE_SETTING
from rumah_perisai.services.volunteers import (
    ROLE_VOLUNTEER,
    AccountSetup,
    Actor,
    create_account,
    log_in,
)
from tests.branch.branch_world import PostSide

# The database files a closed post leaves (WAL and journal are gone once it is closed).
_FILES = ("", "-wal", "-shm", "-journal")


@dataclass
class Backup:
    """A copy of the post's database taken while it was closed, and what it held."""

    path: Path
    created_at: datetime
    last_receipt: tuple[int, int] | None
    last_batch_seq: int | None


@dataclass
class Restored:
    side: PostSide
    backup: Backup
    papers: list[ReceiptDoc] = field(default_factory=list)  # printed after the backup


def _close(side: PostSide) -> DataFolder:
    folder = side.app.folder
    side.app.close()
    return folder


def _reopen(side: PostSide, folder: DataFolder, clock: Any) -> None:
    side.app = open_app(folder, folder.sqlite_url, clock=clock)
    side.coordinator = log_in(side.app.db, "Dewi Lestari", "482913")


def take_backup(side: PostSide, clock: Any, last_receipt: tuple[int, int] | None,
                last_batch_seq: int | None) -> Backup:  # fmt: skip
    folder = _close(side)
    assert not Path(f"{folder.database}-wal").exists()  # closed: everything is in the file
    copy = folder.root.parent / f"{side.code}-backup.sqlite3"
    shutil.copyfile(folder.database, copy)
    backup = Backup(copy, clock(), last_receipt, last_batch_seq)
    _reopen(side, folder, clock)
    return backup


def restore(side: PostSide, backup: Backup, clock: Any) -> None:
    """The copy put back, and ``restore.last`` written into it as the restore writes it."""
    folder = _close(side)
    for suffix in _FILES:
        Path(f"{folder.database}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup.path, folder.database)
    _reopen(side, folder, clock)
    last = backup.last_receipt
    note = {
        "backup_created_at": backup.created_at.isoformat(),
        "restored_at": clock().isoformat(),
        "kind": "daily",
        "post_code": side.code,
        "last_receipt": {"year": last[0], "seq": last[1]} if last else None,
        "last_batch_seq": backup.last_batch_seq,
    }
    with side.app.db.unit_of_work("cli:restore") as session:
        session.add(Setting(key=RESTORE_SETTING, value_json=json.dumps(note)))


def add_volunteer(side: PostSide, name: str = "Ujang Hidayat") -> Actor:
    create_account(side.app.db, AccountSetup(name, "572946"), ROLE_VOLUNTEER, side.coordinator)
    return log_in(side.app.db, name, "572946")


def paper(side: PostSide, receipt_id: int) -> ReceiptDoc:
    """The receipt as it was printed (the paper half the post keeps)."""
    return receipt_document(side.app.db, side.app.folder.keys, receipt_id)


def as_entered(doc: ReceiptDoc, *, qr: bool = False, **changes: Any) -> PaperReceipt:
    """What a coordinator types from a paper half; ``changes`` for a misread field."""
    first = doc.lines[0].month
    values: dict[str, Any] = {
        "number": doc.number,
        "printed_on": doc.issued_at.date(),
        "printed_time": doc.issued_at.time().replace(second=0, microsecond=0),
        "participant": doc.kpj or doc.registration_no,
        "first_month": first,
        "month_count": doc.month_count,
        "total": doc.total,
        "collector": doc.volunteer_name,
        "cash_received": doc.cash_received,
        "qr_text": doc.qr_text if qr else None,
    }
    values.update(changes)
    return PaperReceipt(**values)


def number(seq: int, code: str = "RP3209A", year: int = 2026) -> str:
    return receipt_number(code, year, seq)
