"""The branch window's list of posts: its columns, each post's row (code, name, short
fingerprint, newest batch, held and missing batches, participants, state) with its colours, and
the row's details said in words (the tooltip, and the line under the window for the keyboard)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QFont, QFontDatabase
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

from rumah_perisai import formats
from rumah_perisai.branch import BranchPost
from rumah_perisai.i18n import tr
from rumah_perisai.keys import format_fingerprint
from rumah_perisai.ui.branch.report import HELD, SUSPENDED, SUSPENDED_TEXT
from rumah_perisai.ui.keyboard_help import fit_columns
from rumah_perisai.ui.look import NUMBER

COLUMNS = 8
(COL_CODE, COL_NAME, COL_FINGERPRINT, COL_LAST, COL_HELD, COL_MISSING, COL_PARTICIPANTS,
 COL_STATE) = range(COLUMNS)  # fmt: skip


def held_text(post: BranchPost) -> str:
    """``3, 4 (waiting for 2)``; empty when nothing is held."""
    if not post.held:
        return ""
    return tr(
        "{held} (waiting for {missing})",
        held=", ".join(str(seq) for seq in post.held),
        missing=waiting_for(post),
    )


def waiting_for(post: BranchPost) -> int:
    """The first batch a held one waits for: the lowest missing below it."""
    below = [seq for seq in post.missing if post.held and seq < max(post.held)]
    return min(below, default=post.last_seq + 1)


def missing_text(post: BranchPost) -> str:
    """The batches the branch still lacks (passed over, or behind a held one); the post is told
    in its acknowledgement and writes them again."""
    return ", ".join(str(seq) for seq in post.missing)


def state_text(post: BranchPost) -> str:
    if post.suspended_reason is not None:
        return tr("suspended: {reason}", reason=post.suspended_reason)
    return tr("active")


def short_fingerprint(fingerprint: str) -> str:
    """A post's fingerprint in the list: its first four groups, enough to tell the posts apart,
    so the state column keeps its room at 125 %. The whole one is in the row's details (the line
    under the window as the arrow keys move, and the tooltip), and is compared when the key is
    added."""
    return " ".join(format_fingerprint(fingerprint).split()[:4]) + " …"


def headings() -> list[str]:
    """The columns' headings, in the current language."""
    return [
        tr("Post"),
        tr("Name"),
        tr("Fingerprint"),
        tr("Last batch"),
        tr("Held"),  # the batch numbers held, and what they wait for
        tr("Missing batches"),
        tr("Participants"),
        tr("State"),
    ]


def fill_posts(table: QTableWidget, posts: list[BranchPost]) -> None:
    """One row per post, a suspended post in red, held and missing batches in amber."""
    table.setRowCount(len(posts))
    mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    mono.setPointSizeF(table.font().pointSizeF())
    bold = QFont(table.font())
    bold.setBold(True)
    for row, post in enumerate(posts):
        cells: tuple[tuple[str, Qt.AlignmentFlag | None], ...] = (
            (post.code, None),
            (post.name, None),
            (short_fingerprint(post.fingerprint), None),
            (str(post.last_seq) if post.last_seq else "—", NUMBER),
            (held_text(post), None),
            (missing_text(post), None),
            (formats.number(post.participants), NUMBER),
            (state_text(post), None),
        )
        tip = row_tip(post)
        for column, (text, align) in enumerate(cells):
            item = QTableWidgetItem(text)
            if align is not None:
                item.setTextAlignment(align)
            item.setToolTip(tip)
            if column == COL_FINGERPRINT:
                item.setFont(mono)
            if post.suspended_reason is not None:
                item.setBackground(QBrush(SUSPENDED))
                item.setForeground(QBrush(SUSPENDED_TEXT))
                if column == COL_STATE:
                    item.setFont(bold)
            elif (post.held and column in (COL_LAST, COL_HELD)) or (
                post.missing and column == COL_MISSING
            ):
                item.setBackground(QBrush(HELD))
                item.setFont(bold)
            table.setItem(row, column, item)
    fit_columns(table, COL_STATE)  # the state takes what is left, and wraps


def row_tip(post: BranchPost) -> str:
    lines = [f"{post.code} · {post.name}", format_fingerprint(post.fingerprint)]
    if post.held:
        lines.append(
            tr(
                "Held: batch {seq} waits for batch {missing}, which has not been imported yet.",
                seq=", ".join(str(seq) for seq in post.held),
                missing=waiting_for(post),
            )
        )
    if post.missing:
        lines.append(
            tr(
                "Missing: batch {seq} has not come. The post is told in its acknowledgement "
                "and writes it again; it is imported when it comes.",
                seq=missing_text(post),
            )
        )
    if post.suspended_reason is not None:
        lines.append(
            tr(
                "Suspended ({reason}): its batches are refused until it is resumed.",
                reason=post.suspended_reason,
            )
        )
    return "\n".join(lines)


__all__ = ["COLUMNS", "fill_posts", "headings", "row_tip", "short_fingerprint"]
