"""The demo's progress steps and the counts it reports."""

from __future__ import annotations

from dataclasses import dataclass, field

from rumah_perisai.i18n import N_, tr
from rumah_perisai.tasks import Progress

# Progress texts (the refusals are in rumah_perisai.messages).
DEMO_STEPS: dict[str, str] = {
    "demo_step_people": N_("Making demo participants…"),
    "demo_step_receipts": N_("Making dues receipts…"),
    "demo_step_cover": N_("Saving cover periods…"),
}


class Steps:
    """Reports three phases of equal length (people, receipts, cover periods) to a Progress."""

    PHASES = 3

    def __init__(self, progress: Progress | None, participants: int) -> None:
        self.progress = progress
        self.unit = max(participants, 1)

    def report(self, phase: int, done: int, of: int, key: str) -> None:
        if self.progress is not None:
            share = self.unit * done // max(of, 1)
            total = self.PHASES * self.unit
            self.progress.step(phase * self.unit + share, total, tr(DEMO_STEPS[key]))


@dataclass
class Counts:
    receipts: int = 0
    receipt_months: int = 0
    cover_periods: int = 0
    rejoined: int = 0
    voids: int = 0
    refunds: int = 0
    daily_closes: int = 0
    deposits: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
