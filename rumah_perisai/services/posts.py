"""Setting up a post (the ``init`` command and, later, the first-run screen) and reading it back."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rumah_perisai import areas, keys, vault
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import Participant, Post
from rumah_perisai.db.uow import Database, check_clock, operation_time
from rumah_perisai.domain.timezones import ZONES
from rumah_perisai.errors import UserError
from rumah_perisai.services.volunteers import (
    ROLE_COORDINATOR,
    AccountSetup,
    add_account,
    check_account,
)

_POST_CODE = re.compile(r"[A-Z0-9]{3,12}")


@dataclass(frozen=True)
class PostSetup:
    code: str
    name: str
    kabupaten_code: str
    wadah: str | None = None
    timezone: str | None = None  # default: the kabupaten's province's zone
    is_demo: bool = False
    coordinator: AccountSetup | None = None  # the first coordinator account, if made now
    desa_code: str | None = None  # the post's own desa: offered for every walk-in (issue 17)


@dataclass(frozen=True)
class PostSummary:
    code: str
    name: str
    kabupaten_code: str
    kabupaten_name: str
    wadah: str | None
    timezone: str
    is_demo: bool
    key_fingerprint: str
    participants: int
    # Given once, when the post is set up (or the code re-issued): the coordinator writes it on
    # the recovery sheet; it opens the post's backups on a new laptop and resets a lost PIN.
    recovery_code: str | None = None


def normalise_setup(request: PostSetup) -> PostSetup:
    """Check and tidy what the user typed; raises ``UserError`` with the first problem."""
    code = request.code.strip().upper()
    if not _POST_CODE.fullmatch(code):
        raise UserError("bad_post_code", code=request.code)
    name = " ".join(request.name.split())
    if not name or len(name) > 100:
        raise UserError("bad_post_name")
    kabupaten = request.kabupaten_code.strip()
    if areas.area(kabupaten) is None or len(kabupaten) != 5:
        raise UserError("unknown_kabupaten", code=request.kabupaten_code)
    tz = (request.timezone or areas.default_timezone(kabupaten)).strip().upper()
    if tz not in ZONES:
        raise UserError("unknown_timezone", tz=request.timezone)
    wadah = " ".join((request.wadah or "").split()) or None
    coordinator = (  # the demo's coordinator keeps its documented PIN (domain/pins.py)
        check_account(request.coordinator, demo=request.is_demo) if request.coordinator else None
    )
    return PostSetup(
        code, name, kabupaten, wadah, tz, request.is_demo, coordinator, _post_desa(request)
    )


def _post_desa(request: PostSetup) -> str | None:
    """The post's own desa, if given: a desa (13-character code) of its kabupaten."""
    desa = (request.desa_code or "").strip()
    if not desa:
        return None
    area = areas.area(desa)
    if area is None or len(desa) != 13 or not desa.startswith(request.kabupaten_code.strip() + "."):
        raise UserError("unknown_post_desa", desa=desa)
    return desa


def set_up_post(db: Database, folder: DataFolder, request: PostSetup, actor: str) -> PostSummary:
    """Create this data folder's post, its signing key and its recovery code, as one operation.

    The recovery code wraps the folder's database key before the post is committed: a post never
    exists without one. (A stop in between leaves a code nobody saw; the next set-up replaces it.)
    """
    code = vault.new_recovery_code()
    with db.unit_of_work(actor) as session:
        create_post(session, folder, request)
        vault.set_recovery_code(folder, code)
        session.info["reason"] = "recovery code made"
    summary = post_summary(db)
    assert summary is not None
    return replace(summary, recovery_code=code)


def create_post(session: Session, folder: DataFolder, request: PostSetup) -> Post:
    """Create the post inside the caller's unit of work. Never replaces an existing post.

    The key is written (and synced) before the post is committed. If the program stops between
    the two, the next set-up finds the key without a post and adopts it instead of refusing.
    """
    setup = normalise_setup(request)
    existing = local_post(session)
    if existing is not None:
        raise UserError("post_exists", code=existing.code, name=existing.name)
    check_clock(session)  # before the key file is written
    key_file = keys.post_key_path(folder.keys)
    key = (
        keys.load_post_key(folder.keys) if key_file.exists() else keys.create_post_key(folder.keys)
    )
    public = keys.public_bytes(key)
    assert setup.timezone is not None
    post = Post(
        code=setup.code,
        name=setup.name,
        kabupaten_code=setup.kabupaten_code,
        wadah=setup.wadah,
        desa_code=setup.desa_code,
        timezone=setup.timezone,
        is_local=True,
        is_demo=setup.is_demo,
        signing_public_key=public,
        key_fingerprint=keys.fingerprint(public),
        created_at=operation_time(session),
    )
    session.add(post)
    session.flush()  # accounts and records need the post's id
    if setup.coordinator is not None:
        add_account(session, post, setup.coordinator, ROLE_COORDINATOR, demo_pin=setup.is_demo)
    return post


def local_post(session: Session) -> Post | None:
    return session.scalars(select(Post).where(Post.is_local.is_(True))).first()


def the_post(session: Session) -> Post:
    """This computer's post; ``UserError("no_post")`` before one is set up."""
    post = local_post(session)
    if post is None:
        raise UserError("no_post")
    return post


def local_post_id(db: Database) -> int | None:
    with db.reading() as session:
        return session.scalars(select(Post.id).where(Post.is_local.is_(True))).first()


def post_summary(db: Database) -> PostSummary | None:
    with db.reading() as session:
        post = local_post(session)
        if post is None:
            return None
        count = session.scalar(
            select(func.count()).select_from(Participant).where(Participant.post_id == post.id)
        )
        regency = areas.area(post.kabupaten_code)
        return PostSummary(
            code=post.code,
            name=post.name,
            kabupaten_code=post.kabupaten_code,
            kabupaten_name=regency.name if regency else post.kabupaten_code,
            wadah=post.wadah,
            timezone=post.timezone,
            is_demo=post.is_demo,
            key_fingerprint=post.key_fingerprint,
            participants=int(count or 0),
        )
