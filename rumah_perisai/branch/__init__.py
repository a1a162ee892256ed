"""The branch program: the branch office imports many posts' batches into its database, writes
signed acknowledgements, manages its posts, NIK conflicts, KPJ spreadsheets and the posts' backups.

Its rooms, each importable alone:

* ``folder``: what makes a data folder a branch, its keys (``branch init``).
* ``posts``: the posts it knows — adding a post's key, suspending and resuming, the list.
* ``checks``: where a batch stands in its post's sequence, its times, its receipt chain.
* ``upsert``: one part of a batch into the branch's tables.
* ``locks``: an import's transaction and its lock.
* ``importer``: a batch file imported in one transaction, held batches released.
* ``conflicts``: the same NIK at two posts, rejected or held for an officer.
* ``requests``: a post's withdrawals and erasures applied to the branch's copy (issue 19).
* ``acks``: the acknowledgements the branch signs and writes.
* ``backups``: the posts' backups kept, and a post recovered without its code.
* ``xlsx``: KPJ numbers in, registrations and dues out.
* ``subjects``: whose data a post held on a day, after a lost laptop (issue 19).

The post never imports this package (``tests/test_architecture.py``): what a post needs of the
branch comes through files (``exchange``) and its own services (``services.acks``,
``keys.installed``). This package never imports ``ui``.
"""

from __future__ import annotations

from rumah_perisai.branch.acks import build_ack
from rumah_perisai.branch.backups import (
    KeptBackup,
    Recovered,
    keep_backups_beside,
    kept_folder,
    newest_kept,
    recover_post,
)
from rumah_perisai.branch.conflicts import (
    Conflict,
    ConflictSide,
    decide_conflict,
    pending_conflicts,
)
from rumah_perisai.branch.folder import branch_keys, init_branch, is_branch
from rumah_perisai.branch.importer import ImportResult, import_batch, import_files
from rumah_perisai.branch.posts import (
    AddedPost,
    BranchPost,
    add_post,
    branch_posts,
    set_suspended,
)
from rumah_perisai.branch.xlsx import (
    ExportCounts,
    InvalidRow,
    KpjConflict,
    KpjImport,
    branch_export,
    kpj_import,
)

__all__ = [
    "AddedPost",
    "BranchPost",
    "Conflict",
    "ConflictSide",
    "ExportCounts",
    "ImportResult",
    "InvalidRow",
    "KeptBackup",
    "KpjConflict",
    "KpjImport",
    "Recovered",
    "add_post",
    "branch_export",
    "branch_keys",
    "branch_posts",
    "build_ack",
    "decide_conflict",
    "import_batch",
    "import_files",
    "init_branch",
    "is_branch",
    "keep_backups_beside",
    "kept_folder",
    "kpj_import",
    "newest_kept",
    "pending_conflicts",
    "recover_post",
    "set_suspended",
]
