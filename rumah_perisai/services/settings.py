"""Post settings kept in the database (audited like every change): idle lock, card printer
offsets, receipt layout."""

from __future__ import annotations

import json
from typing import Any

from rumah_perisai.db.models import Setting
from rumah_perisai.db.uow import Database
from rumah_perisai.domain.receipts import RECEIPT_LAYOUTS as RECEIPT_LAYOUTS  # for the window
from rumah_perisai.services.volunteers import Actor, require_coordinator

IDLE_MINUTES = "session.idle_minutes"
CARD_OFFSET_MM = "card.offset_mm"  # [x to the right, y down]: calibrates the card printer
RECEIPT_LAYOUT = "receipt.layout"  # "a5": A4 cut into two A5 halves; "thermal58": 58 mm roll
DEFAULTS: dict[str, Any] = {IDLE_MINUTES: 15, CARD_OFFSET_MM: [0.0, 0.0], RECEIPT_LAYOUT: "a5"}


def get_setting(db: Database, key: str) -> Any:
    with db.reading() as session:
        stored = session.get(Setting, key)
        return json.loads(stored.value_json) if stored else DEFAULTS[key]


def set_setting(db: Database, key: str, value: Any, actor: Actor) -> None:
    """Coordinators change settings; the change is audited with the old and new value."""
    require_coordinator(actor)
    if key not in DEFAULTS:
        raise KeyError(key)
    if key == RECEIPT_LAYOUT and value not in RECEIPT_LAYOUTS:
        raise ValueError(f"unknown receipt layout {value!r}")
    with db.unit_of_work(actor.label) as session:
        stored = session.get(Setting, key)
        if stored is None:
            session.add(Setting(key=key, value_json=json.dumps(value)))
        else:
            stored.value_json = json.dumps(value)
