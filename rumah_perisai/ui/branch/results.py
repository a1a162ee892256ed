"""The branch window's results of the last import: one line per file (imported, already
imported, held, refused) with what belongs to it underneath (the acknowledgement written, each
registration rejected and why, what a held batch waits for), and the summary said above them."""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from rumah_perisai.branch import ImportResult
from rumah_perisai.i18n import tr
from rumah_perisai.ui.branch.report import (
    HELD,
    HELD_STYLE,
    REFUSED,
    SUSPENDED_TEXT,
    ImportReport,
)
from rumah_perisai.ui.keyboard_help import fit_columns
from rumah_perisai.ui.look import ERROR_STYLE, GOOD_STYLE, NUMBER

RESULT_COLUMNS = 5
RES_FILE, RES_POST, RES_SEQ, RES_STATE, RES_MESSAGE = range(RESULT_COLUMNS)


def headings() -> list[str]:
    """The columns' headings, in the current language."""
    return [tr("File"), tr("Post"), tr("No."), tr("Result"), tr("Message")]


def fill_results(tree: QTreeWidget, report: ImportReport) -> None:
    """Every file the import touched; after a refusal or a stop, the refused file and what got
    in before it."""
    tree.clear()
    for result, released in report.all_results():
        add_result(tree, result, released=released)
    if report.refusal is not None:
        add_refusal(tree, report)
    if report.refusal is not None or report.cancelled:
        for change in report.changes():
            add_line(tree, None, change)
    tree.expandAll()
    fit_columns(tree, RES_MESSAGE)


def summary(report: ImportReport) -> tuple[str, str]:
    """What is said above the results, and its style: red after a refusal or a stop, amber
    while a batch is held, green otherwise."""
    held = [result for result, _released in report.all_results() if result.state == "held"]
    lines: list[str] = []
    if report.refusal is not None or report.cancelled:
        if report.refusal is not None:
            lines.append(tr("Refused: {reason}", reason=report.refusal.message()))
        else:
            lines.append(tr("Stopped."))
        changes = report.changes()
        if changes:
            lines.append(tr("What was imported before it stays imported:"))
            lines.extend(changes)
        else:
            lines.append(tr("Nothing was imported."))
        return "\n".join(lines), ERROR_STYLE
    lines.append(counts_text(report))
    lines.extend(result.message() for result in held)
    rejected = sum(len(result.rejected) for result, _r in report.all_results())
    if rejected:
        lines.append(
            tr(
                "{count} registration(s) rejected; the post reads why in the acknowledgement.",
                count=rejected,
            )
        )
    if any(result.ack_path for result, _r in report.all_results()):
        lines.append(
            tr(
                "The acknowledgements were written beside the batch files: give the "
                "stick back to the post."
            )
        )
    if report.gap_reason is not None:
        lines.append(tr("Imported past a gap: recorded with the reason given."))
    return "\n".join(lines), HELD_STYLE if held else GOOD_STYLE


def counts_text(report: ImportReport) -> str:
    done = report.all_results()
    return tr(
        "{files} file(s): {imported} batch(es) imported, {held} held, {already} already "
        "imported before.",
        files=len(report.results),
        imported=sum(1 for r, _x in done if r.state == "imported"),
        held=sum(1 for r, _x in done if r.state == "held"),
        already=sum(1 for r, _x in done if r.state == "already_imported"),
    )


def add_result(tree: QTreeWidget, result: ImportResult, *, released: bool) -> None:
    """A file's line: what became of it, with its held note, ACK and rejections under it."""
    if result.state == "held":
        state = tr("HELD")
    elif result.state == "already_imported":
        state = tr("already imported")
    elif released:
        state = tr("imported (was held)")
    else:
        state = tr("imported")
    item = QTreeWidgetItem(
        [result.file.name, result.post_code, str(result.seq), state, result.message()]
    )
    item.setToolTip(RES_FILE, str(result.file))
    item.setToolTip(RES_MESSAGE, result.message())
    item.setTextAlignment(RES_SEQ, NUMBER)
    tree.addTopLevelItem(item)
    if result.state == "held":
        bold = QFont(tree.font())
        bold.setBold(True)
        for column in range(RESULT_COLUMNS):
            item.setBackground(column, QBrush(HELD))
            item.setFont(column, bold)
        add_line(
            tree,
            item,
            tr(
                "Waiting for batch {missing} of post {post}: once it is imported, this one "
                "follows by itself.",
                missing=result.missing_seq,
                post=result.post_code,
            ),
            background=HELD,
        )
    if result.ack_path is not None:
        add_line(tree, item, tr("Acknowledgement: {path}", path=str(result.ack_path)))
    for rejection in result.rejected:
        add_line(
            tree,
            item,
            tr(
                "Registration {key} rejected: {reason}",
                key=rejection.key,
                reason=rejection.reason,
            ),
            foreground=SUSPENDED_TEXT,
        )


def add_refusal(tree: QTreeWidget, report: ImportReport) -> None:
    assert report.refusal is not None
    message = report.refusal.message()
    item = QTreeWidgetItem([report.refused_file, "", "", tr("refused"), message])
    item.setToolTip(RES_MESSAGE, message)
    tree.addTopLevelItem(item)
    for column in range(RESULT_COLUMNS):
        item.setBackground(column, QBrush(REFUSED))
        item.setForeground(column, QBrush(SUSPENDED_TEXT))


def add_line(
    tree: QTreeWidget,
    parent: QTreeWidgetItem | None,
    text: str,
    *,
    background: QColor | None = None,
    foreground: QColor | None = None,
) -> QTreeWidgetItem:
    """A line of text across the whole width (under a file, or on its own)."""
    item = QTreeWidgetItem([text])
    item.setToolTip(0, text)
    if parent is None:
        tree.addTopLevelItem(item)
    else:
        parent.addChild(item)
    item.setFirstColumnSpanned(True)
    if background is not None:
        item.setBackground(0, QBrush(background))
    if foreground is not None:
        item.setForeground(0, QBrush(foreground))
    return item


__all__ = ["RESULT_COLUMNS", "counts_text", "fill_results", "headings", "summary"]
