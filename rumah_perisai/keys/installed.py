"""The keys as a post holds them: the branch's key installed here (a setting in the database),
and the post's own public key file for the branch, made from the post's row and signed with the
post's key.

It touches the database (one unit of work per change, as services do) but stands below
``services/``: it needs only ``db/`` and the rest of ``keys/``, so the services that trust the
branch's key (acks, batches, updates), the command line and the window all take it from here.
Who acts is anything with an audit ``label`` and ``is_coordinator`` (``services.volunteers.Actor``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from rumah_perisai.db.models import Post, Setting
from rumah_perisai.db.uow import Database
from rumah_perisai.errors import UserError
from rumah_perisai.keys.files import (
    BranchPublicKey,
    PostPublicKey,
    post_key_file,
    read_branch_key_file,
)
from rumah_perisai.keys.post import format_fingerprint, load_post_key


class Acting(Protocol):
    """Who installs a key: the audit label, and whether it is a coordinator."""

    @property
    def label(self) -> str: ...

    @property
    def is_coordinator(self) -> bool: ...


BRANCH_KEY_SETTING = "branch.key"


@dataclass(frozen=True)
class InstalledKey:
    key: BranchPublicKey
    replaced: BranchPublicKey | None  # the key it took the place of, if any
    unchanged: bool = False  # the same key was installed already


def branch_key(session: Session) -> BranchPublicKey | None:
    """The branch key installed at this post, or None."""
    stored = session.get(Setting, BRANCH_KEY_SETTING)
    if stored is None:
        return None
    return read_branch_key_file(json.loads(stored.value_json).encode())


def installed_branch_key(db: Database) -> BranchPublicKey | None:
    with db.reading() as session:
        return branch_key(session)


def install_branch_key(db: Database, data: bytes, actor: Acting) -> InstalledKey:
    """Install the branch's public key file. The first install is part of setting up; replacing
    one needs a coordinator (``actor.is_coordinator``) and is audited with both fingerprints."""
    key = read_branch_key_file(data)  # a damaged file is refused before anything is looked at
    with db.unit_of_work(actor.label) as session:
        post = _the_post(session)
        if key.demo != post.is_demo:
            raise UserError("branch_key_demo" if key.demo else "branch_key_real")
        stored = session.get(Setting, BRANCH_KEY_SETTING)
        current = branch_key(session)
        if current is not None and current.fingerprint == key.fingerprint:
            return InstalledKey(key, None, unchanged=True)
        if current is not None and not actor.is_coordinator:
            raise UserError(
                "branch_key_replace_coordinator",
                fingerprint=format_fingerprint(current.fingerprint),
            )
        session.info["reason"] = f"branch key {key.fingerprint[:32]}" + (
            f" replaces {current.fingerprint[:32]}" if current else ""
        )
        value = json.dumps(data.decode("utf-8"))
        if stored is None:
            session.add(Setting(key=BRANCH_KEY_SETTING, value_json=value))
        else:
            stored.value_json = value
    return InstalledKey(key, current)


def post_public_key(db: Database) -> PostPublicKey:
    with db.reading() as session:
        post = _the_post(session)
        return PostPublicKey(
            code=post.code,
            name=post.name,
            kabupaten_code=post.kabupaten_code,
            timezone=post.timezone,
            demo=post.is_demo,
            signing_key=post.signing_public_key,
        )


def post_key_file_bytes(db: Database, keys_dir: Path) -> bytes:
    """The post's public key file for the branch, signed with the post's key."""
    return post_key_file(post_public_key(db), load_post_key(keys_dir))


def _the_post(session: Session) -> Post:
    """This computer's post (``services.posts.the_post``, which keys may not import)."""
    post = session.scalars(select(Post).where(Post.is_local.is_(True))).first()
    if post is None:
        raise UserError("no_post")
    return post
