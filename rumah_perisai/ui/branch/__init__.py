"""The branch office's window (``window``), in rooms of its own: the posts' list (``posts``), the
results of an import (``results``, ``report``) and the NIK conflicts dialog (``conflicts``). It
shows what ``rumah_perisai.branch`` answers; every rule is there."""

from __future__ import annotations

from rumah_perisai.ui.branch.conflicts import ConflictsDialog
from rumah_perisai.ui.branch.report import ImportReport, branch_actor
from rumah_perisai.ui.branch.window import BranchWindow

__all__ = ["BranchWindow", "ConflictsDialog", "ImportReport", "branch_actor"]
