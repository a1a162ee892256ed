"""What a restore left behind, as the paper-receipt re-entry reads it (issue 16, item 2).

A restore (``services.backup``) writes the Setting ``restore.last``: when the backup was made,
when it was restored, the backup's last receipt number and last batch. Receipts printed after
the backup exist only on paper then, so until a coordinator has entered them again (or said
that none were printed) their numbers must not be taken again: **payments, voids and the weekly
batch are held** (``refuse_while_held``). Re-entry ends with ``restore.paper`` naming the same
restore.

If the branch is known to hold a batch newer than the restored post's last one (an
acknowledgement for it was shown here: ``restore.branch_ahead``), the backup is older than what
the branch has: its receipts after the backup may be at the branch already, and this post's
next batch would take that batch's number. Re-entry is refused then and everything stays held
until a newer backup (the one written beside that batch on the stick, or the branch's copy) is
restored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rumah_perisai.db.models import Batch, Setting
from rumah_perisai.db.uow import Database
from rumah_perisai.errors import UserError

RESTORE_SETTING = "restore.last"  # written by the restore (``services.restore``)
PAPER_SETTING = "restore.paper"  # re-entry of paper receipts finished, for that restore
AHEAD_SETTING = "restore.branch_ahead"  # the branch holds a batch newer than the backup


@dataclass(frozen=True)
class RestoreNote:
    """``restore.last`` as the restore wrote it."""

    backup_created_at: datetime  # UTC
    restored_at: datetime  # UTC
    restored_key: str  # restored_at as written: names this restore in the other settings
    last_receipt: tuple[int, int] | None  # (year, seq) of the backup's newest receipt
    last_batch_seq: int | None


@dataclass(frozen=True)
class RestoreState:
    """Where this post stands after a restore; ``note`` None: it never was restored."""

    note: RestoreNote | None
    finished: dict[str, Any] | None  # what ``restore.paper`` says, for this restore
    branch_ahead: int | None  # a batch of this post the branch holds, newer than the backup's
    batches_since: int  # batches written since the restore

    @property
    def held(self) -> bool:
        """Payments, voids and batches wait: paper receipts may carry the next numbers."""
        return self.note is not None and self.finished is None


def _moment(value: object) -> datetime:
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _json(session: Session, key: str) -> Any:
    stored = session.get(Setting, key)
    return None if stored is None else json.loads(stored.value_json)


def restore_note(session: Session) -> RestoreNote | None:
    value = _json(session, RESTORE_SETTING)
    if not isinstance(value, dict):
        return None
    last = value.get("last_receipt")
    last_receipt = (int(last["year"]), int(last["seq"])) if isinstance(last, dict) else None
    batch = value.get("last_batch_seq")
    return RestoreNote(
        backup_created_at=_moment(value["backup_created_at"]),
        restored_at=_moment(value["restored_at"]),
        restored_key=str(value["restored_at"]),
        last_receipt=last_receipt,
        last_batch_seq=int(batch) if batch is not None else None,
    )


def restore_state(session: Session) -> RestoreState:
    note = restore_note(session)
    if note is None:
        return RestoreState(None, None, None, 0)
    finished = _json(session, PAPER_SETTING)
    if not isinstance(finished, dict) or finished.get("restored_at") != note.restored_key:
        finished = None
    ahead = _json(session, AHEAD_SETTING)
    ahead_seq = (
        int(ahead["seq"])
        if isinstance(ahead, dict) and ahead.get("restored_at") == note.restored_key
        else None
    )
    newest = session.scalar(select(func.max(Batch.seq)))
    since = max(0, int(newest or 0) - int(note.last_batch_seq or 0))
    return RestoreState(note, finished, ahead_seq, since)


def refuse_while_held(session: Session) -> None:
    """Refuse to take a receipt number or write a batch while paper receipts printed after the
    backup may still carry the next numbers (``paper_receipts_pending``)."""
    state = restore_state(session)
    if state.held:
        if state.branch_ahead is not None:
            raise UserError("paper_branch_ahead", seq=state.branch_ahead)
        raise UserError("paper_receipts_pending")


def held(db: Database) -> RestoreState:
    with db.reading() as session:
        return restore_state(session)


def put_setting(session: Session, key: str, value: Any) -> None:
    text = json.dumps(value, sort_keys=True)
    stored = session.get(Setting, key)
    if stored is None:
        session.add(Setting(key=key, value_json=text))
    elif stored.value_json != text:
        stored.value_json = text
