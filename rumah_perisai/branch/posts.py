"""The posts a branch knows: registering a post's key, suspending and resuming it, and the list
of posts with where each stands (newest batch, held and missing batches, NIK conflicts)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rumah_perisai.branch.checks import missing_batches
from rumah_perisai.branch.conflicts import pending_for
from rumah_perisai.branch.folder import branch_keys
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import BatchImport, Participant, Post
from rumah_perisai.db.uow import Database, operation_time
from rumah_perisai.errors import UserError
from rumah_perisai.keys import format_fingerprint
from rumah_perisai.keys.files import PostPublicKey, read_post_key_file
from rumah_perisai.services.volunteers import Actor


@dataclass(frozen=True)
class AddedPost:
    key: PostPublicKey
    unchanged: bool


def add_post(db: Database, folder: DataFolder, data: bytes, actor: Actor) -> AddedPost:
    """Register a post's public key file (its fingerprint compared by phone beforehand)."""
    branch = branch_keys(folder).public
    key = read_post_key_file(data)
    if key.demo != branch.demo:
        raise UserError("post_demo_at_real_branch" if key.demo else "post_real_at_training_branch")
    with db.unit_of_work(actor.label) as session:
        existing = session.scalars(select(Post).where(Post.code == key.code)).first()
        if existing is not None:
            if existing.signing_public_key == key.signing_key:
                return AddedPost(key, unchanged=True)
            raise UserError(
                "post_key_differs",
                code=key.code,
                fingerprint=format_fingerprint(existing.key_fingerprint),
            )
        session.add(
            Post(
                code=key.code,
                name=key.name,
                kabupaten_code=key.kabupaten_code,
                timezone=key.timezone,
                is_local=False,
                is_demo=key.demo,
                signing_public_key=key.signing_key,
                key_fingerprint=key.fingerprint,
                created_at=operation_time(session),
            )
        )
    return AddedPost(key, unchanged=False)


def set_suspended(db: Database, code: str, reason: str | None, actor: Actor) -> None:
    """Suspend a post (``reason`` given: its batches are refused) or let it send again (None)."""
    with db.unit_of_work(actor.label) as session:
        post = _known_post(session, code.strip().upper())
        if reason is not None:
            reason = " ".join(reason.split())
            if not reason:
                raise UserError("reason_needed")
            post.suspended_at = operation_time(session)
            post.suspended_reason = reason
        else:
            post.suspended_at = None
            post.suspended_reason = None


def _known_post(session: Session, code: str) -> Post:
    post = session.scalars(select(Post).where(Post.code == code, Post.is_local.is_(False))).first()
    if post is None:
        raise UserError("post_unknown", code=code)
    return post


@dataclass(frozen=True)
class BranchPost:
    code: str
    name: str
    fingerprint: str
    demo: bool
    suspended_reason: str | None
    last_seq: int  # the newest batch imported, 0 for none
    held: list[int]  # batches waiting behind a gap
    participants: int
    missing: list[int] = field(default_factory=list)  # passed over or not yet come, below newest
    conflicts: int = 0  # NIK conflicts of its registrations waiting for an officer


def branch_posts(db: Database) -> list[BranchPost]:
    with db.reading() as session:
        rows = []
        for post in session.scalars(
            select(Post).where(Post.is_local.is_(False)).order_by(Post.code)
        ):
            imports = session.execute(
                select(BatchImport.seq, BatchImport.state).where(BatchImport.post_id == post.id)
            ).all()
            count = session.scalar(
                select(func.count()).select_from(Participant).where(Participant.post_id == post.id)
            )
            rows.append(
                BranchPost(
                    code=post.code,
                    name=post.name,
                    fingerprint=post.key_fingerprint,
                    demo=post.is_demo,
                    suspended_reason=post.suspended_reason,
                    last_seq=max((s for s, state in imports if state == "imported"), default=0),
                    held=sorted(s for s, state in imports if state == "held"),
                    participants=int(count or 0),
                    missing=missing_batches(session, post.id),
                    conflicts=len(pending_for(session, post.id)),
                )
            )
        return rows


# --- NIK conflicts held for a branch officer ---------------------------------------------------


__all__ = ["AddedPost", "BranchPost", "add_post", "branch_posts", "set_suspended"]
