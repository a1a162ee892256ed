"""A new recovery code for the post, issued by a coordinator (issue 16).

The code itself is never stored: the data folder's recovery record keeps only the database key
wrapped by it (``vault.set_recovery_code``), so the old code stops working the moment a new one
is set. The issue is audited like every change — the setting ``recovery.issued`` records when,
and the audit entry who — without the code.

Order: the setting is flushed first (the clock check, a busy database and a full disk refuse
there, before anything changed), then the vault's record is replaced, then the unit of work
commits; a vault that cannot be written rolls the audit back, so the record and the audit never
disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from rumah_perisai import vault
from rumah_perisai.db.models import Setting
from rumah_perisai.db.uow import operation_time
from rumah_perisai.errors import UserError
from rumah_perisai.services.posts import the_post
from rumah_perisai.services.volunteers import Actor, require_coordinator

if TYPE_CHECKING:  # the composition root imports services, not the other way round
    from rumah_perisai.app import App

RECOVERY_ISSUED = "recovery.issued"  # {"issued_at": ISO UTC}: the newest re-issue


@dataclass(frozen=True)
class RecoverySheet:
    """What the recovery sheet shows (``printing.recovery_sheet`` draws it)."""

    post_code: str
    post_name: str
    code: str  # as issued, "7KQ2M-9XD4A-…"
    issued_at: datetime  # UTC
    timezone: str  # the post's (WIB, WITA, WIT)
    is_demo: bool = False


@dataclass(frozen=True)
class IssuedCode:
    """A code just issued: shown once, printed on its sheet, then forgotten."""

    code: str
    sheet: RecoverySheet


def reissue_recovery_code(app: App, actor: Actor) -> IssuedCode:
    """A new recovery code replaces the old one; only a coordinator may, and it is audited."""
    require_coordinator(actor)
    code = vault.new_recovery_code()
    with app.db.unit_of_work(actor.label) as session:
        post = the_post(session)
        issued_at = operation_time(session)
        value = json.dumps({"issued_at": issued_at.isoformat()})
        stored = session.get(Setting, RECOVERY_ISSUED)
        if stored is None:
            session.add(Setting(key=RECOVERY_ISSUED, value_json=value))
        else:
            stored.value_json = value
        session.flush()
        try:
            vault.set_recovery_code(app.folder, code)
        except OSError as error:  # a full or read-only disk: said, and the old code stays
            record = app.folder.root / vault.VAULT_FILE
            reason = error.strerror or str(error)
            raise UserError("file_failed", path=str(record), reason=reason) from error
        sheet = RecoverySheet(
            post_code=post.code,
            post_name=post.name,
            code=code,
            issued_at=issued_at,
            timezone=post.timezone,
            is_demo=post.is_demo,
        )
    return IssuedCode(code, sheet)


def last_issued(app: App) -> datetime | None:
    """When a coordinator last issued a new code (None: still the one from the set-up)."""
    with app.db.reading() as session:
        stored = session.get(Setting, RECOVERY_ISSUED)
        if stored is None:
            return None
        return datetime.fromisoformat(json.loads(stored.value_json)["issued_at"])
