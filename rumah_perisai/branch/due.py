"""What the steps after a batch's parts find to do, asked in one query (issue 21).

Once a batch's parts are in, its import applies the post's data requests, rejects duplicate
registrations, recognises erased people joining again and gives BPJS's listed members their
KPJ (``requests``, ``conflicts``, ``members``). Each step first asks whether it has anything to
do, and in a week's batch almost none has: nine statements a batch, each its own round trip,
that found nothing. Here the same questions are asked at once (``due_after_parts``), each the
condition of the step's own query, and a step told it has nothing to do skips its query.

A step's answer holds until its turn: the steps before it only take work away from it (a
registration rejected or erased is no member any more, one given a KPJ needs none) — except
that applying requests and the erasure list adds to the erasure list, so when there are
requests to apply or erased registrations of the post, the later steps ask for themselves as
before (``later``)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import text
from sqlalchemy.orm import Session

from rumah_perisai.db.models import Post


@dataclass(frozen=True)
class Due:
    """Whether each step after the parts has something to look at (``due_after_parts``)."""

    unexplained: bool = True  # rows arriving erased (``requests._refuse_unexplained``)
    requests: bool = True  # the post's requests done there, not applied here (``apply_requests``)
    erased_here: bool = True  # the post's registrations on the erasure list (``erase_again``)
    rejected_before: bool = True  # its registrations rejected before (``reject_duplicates``)
    pending: bool = True  # conflicts waiting for an officer (``conflicts._settle_conflicts``)
    pairs: bool = True  # this import's members sharing a NIK with another post's
    keyed: bool = True  # erased NIKs kept keyed (``conflicts.rejoin_erased``)
    listed: bool = True  # this import's new members on BPJS's list (``attach_listed_kpj``)

    def later(self) -> Due:
        """What the steps after the requests may go by: this, unless applying the requests or
        the erasure list may add to the erasure list (then each step asks for itself)."""
        return EVERYTHING if self.requests or self.erased_here else self


EVERYTHING = Due()  # every step asks for itself (an import outside a batch's own, a test)

# Each condition is the one of the step's own query (named in ``Due``), as EXISTS.
_DUE_SQL = """SELECT
 EXISTS (SELECT 1 FROM participants WHERE post_id = :post AND change_no = :change
   AND (erased_at IS NOT NULL OR nik LIKE 'X%')),
 EXISTS (SELECT 1 FROM data_requests WHERE post_id = :post
   AND kind IN ('withdraw', 'erase') AND state = 'done' AND branch_done_at IS NULL),
 EXISTS (SELECT 1 FROM erasures WHERE post_code = :code),
 EXISTS (SELECT 1 FROM branch_rejections WHERE post_id = :post AND entity = 'participants'),
 EXISTS (SELECT 1 FROM branch_conflicts c JOIN participants a ON a.id = c.first_id
   JOIN participants b ON b.id = c.second_id WHERE c.state = 'pending'
   AND (a.post_id = :post OR b.post_id = :post)),
 EXISTS (SELECT 1 FROM participants p JOIN participants q ON q.nik = p.nik
   AND q.post_id <> p.post_id WHERE p.post_id = :post AND p.change_no = :change
   AND p.standing = 'member' AND q.standing = 'member'),
 EXISTS (SELECT 1 FROM erasures WHERE nik_keyed <> ''),
 EXISTS (SELECT 1 FROM participants p JOIN bpjs_members m ON m.nik = p.nik
   WHERE p.post_id = :post AND p.first_change = :change AND p.change_no = :change
   AND p.standing = 'member' AND p.kpj IS NULL)"""


def due_after_parts(session: Session, post: Post, change_no: int) -> Due:
    """What each step after the parts of the import ``change_no`` of ``post`` has to look at,
    in one round trip (the session's changes flushed first, as the first step does)."""
    session.flush()
    row = session.execute(
        text(_DUE_SQL), {"post": post.id, "change": change_no, "code": post.code}
    ).one()
    names = [f.name for f in fields(Due)]
    return Due(**{name: bool(value) for name, value in zip(names, row, strict=True)})


__all__ = ["EVERYTHING", "Due", "due_after_parts"]
