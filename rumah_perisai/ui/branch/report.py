"""What the branch window shows of an import, as plain data: who is recorded, what one press of
Import did (``ImportReport``), the import's steps in words, and the colours of the branch's states
(a suspended post, a batch held, a file refused)."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field

from rumah_perisai.branch import BranchPost, ImportResult
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import tr
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.tasks import Progress
from rumah_perisai.ui.look import AMBER, RED, RED_TEXT

HELD_STYLE = "background: #fff3cd; color: #5d4037; padding: 4px; font-weight: bold;"
SUSPENDED = RED  # the post's batches are refused
SUSPENDED_TEXT = RED_TEXT
HELD = AMBER  # waiting behind a missing batch
REFUSED = RED


def branch_actor() -> Actor:
    """Who the branch window records changes as: the computer's user, like the command line."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no user name (a container without an /etc/passwd entry)
        login = "unknown"
    return Actor(label=f"branch:{login}", name=login)


@dataclass
class ImportReport:
    """What one press of Import showed: the results, or the refusal and what got in before it."""

    results: list[ImportResult] = field(default_factory=list)
    gap_reason: str | None = None
    refusal: UserError | None = None
    refused_file: str = ""
    cancelled: bool = False
    before: list[BranchPost] = field(default_factory=list)
    after: list[BranchPost] = field(default_factory=list)

    def all_results(self) -> list[tuple[ImportResult, bool]]:
        """Every batch the import touched, with True for one released from being held."""
        done: list[tuple[ImportResult, bool]] = []
        for result in self.results:
            done.append((result, False))
            done.extend((followed, True) for followed in result.followed)
        return done

    def changes(self) -> list[str]:
        """After a refusal or a stop: what got in before it, from the posts' list before and
        after (the service's results of those files are not handed back)."""
        earlier = {post.code: post for post in self.before}
        lines = []
        for post in self.after:
            old = earlier.get(post.code)
            old_last = old.last_seq if old else 0
            old_held = set(old.held) if old else set()
            if post.last_seq > old_last:
                lines.append(
                    tr(
                        "Post {post}: batches up to {seq} imported (before: {old}).",
                        post=post.code,
                        seq=post.last_seq,
                        old=old_last,
                    )
                )
            new_held = sorted(set(post.held) - old_held)
            if new_held:
                lines.append(
                    tr(
                        "Post {post}: batch {seq} held, waiting for batch {missing}.",
                        post=post.code,
                        seq=", ".join(str(seq) for seq in new_held),
                        missing=post.last_seq + 1,
                    )
                )
        return lines


class ImportSteps:
    """The import's steps in words for the progress dialog; remembers the file being imported
    (the one a refusal is about)."""

    def __init__(self, inner: Progress) -> None:
        self._inner = inner
        self.current = ""

    def step(self, done: int, total: int, text: str = "") -> None:
        self.current = text
        self._inner.step(done, total, tr("Importing {file}…", file=text) if text else "")


__all__ = ["HELD", "HELD_STYLE", "REFUSED", "SUSPENDED", "SUSPENDED_TEXT", "ImportReport",
           "ImportSteps", "branch_actor"]  # fmt: skip
