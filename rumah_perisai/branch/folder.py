"""The branch's data folder: what makes a folder a branch, and its keys (``branch init``).

A branch is a data folder with the branch's keys and a database — PostgreSQL in real use, SQLite
for trying — holding the records of many posts in the same tables a post uses. Whatever the
branch does starts here: every other room of ``rumah_perisai.branch`` reads the keys through
``branch_keys``, which refuses a folder that is no branch.
"""

from __future__ import annotations

from pathlib import Path

from rumah_perisai.config import DataFolder
from rumah_perisai.db.uow import Database
from rumah_perisai.errors import UserError
from rumah_perisai.keys.files import (
    BRANCH_PUBLIC_FILE,
    BranchKeys,
    create_branch_keys,
    load_branch_keys,
)
from rumah_perisai.services.posts import local_post


def is_branch(folder: DataFolder) -> bool:
    return (folder.keys / BRANCH_PUBLIC_FILE).exists()


def branch_keys(folder: DataFolder) -> BranchKeys:
    if not is_branch(folder):
        raise UserError("not_a_branch", path=str(folder.root))
    return load_branch_keys(folder.keys)


def init_branch(db: Database, folder: DataFolder, code: str, name: str, *, demo: bool) -> Path:
    """Make the branch's keys; returns its public key file (for the posts)."""
    code, name = code.strip().upper(), " ".join(name.split())
    if not code or len(code) > 16 or not name:
        raise UserError("branch_name_bad")
    with db.reading() as session:
        post = local_post(session)
    if post is not None:
        raise UserError("branch_in_post_folder", code=post.code)
    create_branch_keys(folder.keys, code, name, demo=demo)
    return folder.keys / BRANCH_PUBLIC_FILE


__all__ = ["branch_keys", "init_branch", "is_branch"]
