"""A batch's history part at the branch (issue 9; staged ahead, issue 21): the post's own
history of the records comes along, each entry checked (its columns the table's, its moment
within the batch's time window) and marked as imported, written by COPY on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert

from rumah_perisai.branch.checks import TimeWindow
from rumah_perisai.branch.upsert import driver_cursor
from rumah_perisai.db.models import AuditEntry
from rumah_perisai.db.uow import note_written
from rumah_perisai.errors import UserError
from rumah_perisai.services.volunteers import Actor

_DAWN = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class StagedAudit:
    """The history part read, checked and put in COPY's text format ahead of its import, in a
    second process (``branch.ahead``), but for what only its turn knows: the import's change
    number (the first column, put before each row then) and the batch's time window (its
    entries' earliest and latest moments, compared then). Made only of a part with nothing
    else wrong (``audit_rows``): then the window is the one thing left that can refuse it."""

    columns: list[str]  # after ``change_no``
    # The entries in COPY's text format without the change number: a line each, every line
    # ended by a line break (one within a value is written escaped, as two characters).
    copy: bytes
    first: str  # the earliest and latest moment, as the batch writes them
    last: str


def audit_rows(
    post_code: str,
    document: dict[str, Any],
    name: str,
    within: Callable[[str], bool] | None,
) -> list[dict[str, Any]]:
    """The history part's entries as stored here but for the import's change number (marked as
    imported, the actor named with the post), each checked: the part's columns the table's
    own, each row one value a column, its moment a moment ``within`` the batch's time window
    (None: the window is compared later, ``StagedAudit``), and no value a list or an object."""
    columns = document["columns"]
    allowed = {c.name for c in AuditEntry.__table__.columns}
    if not all(isinstance(c, str) and c in allowed for c in columns) or not {"at", "actor"} <= set(
        columns
    ):
        raise UserError("batch_manifest_bad", name=name, reason="audit_log columns")
    at, who = columns.index("at"), columns.index("actor")
    rows = []
    for row in document["rows"]:
        if not isinstance(row, list) or len(row) != len(columns):
            raise UserError("batch_manifest_bad", name=name, reason="audit_log rows")
        moment = row[at]
        if (
            not isinstance(moment, str)
            or len(moment) != 27
            or (within is not None and not within(moment))
        ):
            raise UserError("batch_time_outside", name=name, part="audit_log")
        values = dict(zip(columns, row, strict=True))
        values.pop("id", None)
        values.pop("change_no", None)  # the import's own, set at its turn
        values["origin"] = "import"
        values["actor"] = f"{post_code}/{row[who]}"[:120]
        try:
            values["at"] = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError as error:  # in the window as text, yet no time (a 13th month)
            raise UserError("batch_time_outside", name=name, part="audit_log") from error
        if any(isinstance(v, dict | list) for v in values.values()):
            raise UserError("batch_manifest_bad", name=name, reason="audit_log values")
        # A creation comes without its values (the record itself has them): "{}".
        values["changes_json"] = values.get("changes_json") or "{}"
        rows.append(values)
    return rows


def import_audit(
    connection: Connection,
    post_code: str,
    change_no: int,
    document: dict[str, Any] | StagedAudit | None,
    actor: Actor,
    window: TimeWindow,
    name: str,
) -> None:
    """The post's own history of the records comes along, marked as imported. Every entry is
    new here, so each must lie within the batch's time window."""
    latest, earliest = window.wire(window.latest), window.wire(window.earliest or _DAWN)
    if isinstance(document, StagedAudit):
        if not earliest <= document.first <= document.last <= latest:
            raise UserError("batch_time_outside", name=name, part="audit_log")
        _copy_staged_audit(connection, change_no, document, name)
        return
    if not document or not document["rows"]:
        return
    rows = [
        {"change_no": change_no, **values}
        for values in audit_rows(post_code, document, name,
                                 lambda moment: earliest <= moment <= latest)
    ]  # fmt: skip
    if connection.dialect.name == "postgresql":
        _copy_audit(connection, rows, name)
    else:
        connection.execute(insert(AuditEntry), rows)


def stored_audit_row(values: dict[str, Any]) -> list[Any]:
    """An entry's values (``audit_rows``) as COPY writes them: the moment as naive UTC, as the
    ORM stores it."""
    row = list(values.values())
    row[list(values).index("at")] = values["at"].astimezone(UTC).replace(tzinfo=None)
    return row


def _copy_audit(connection: Connection, rows: list[dict[str, Any]], name: str) -> None:
    """The entries by COPY (a week's batch brings ~450: one round trip instead of the ORM's
    insert). A value the table cannot take (too long, missing) refuses the batch as the insert
    did (``batch_data_bad``)."""
    columns = list(rows[0])
    sql = f"COPY audit_log ({', '.join(columns)}) FROM STDIN"
    with driver_cursor(connection, name) as cursor, cursor.copy(sql) as copy:
        for values in rows:
            copy.write_row(stored_audit_row(values))
    note_written(connection, AuditEntry.__tablename__)


def _copy_staged_audit(
    connection: Connection, change_no: int, staged: StagedAudit, name: str
) -> None:
    """``_copy_audit`` of the entries staged ahead: each line behind the change number."""
    sql = f"COPY audit_log (change_no, {', '.join(staged.columns)}) FROM STDIN"
    number = f"{int(change_no)}\t".encode()
    lines = number + staged.copy[:-1].replace(b"\n", b"\n" + number) + b"\n"
    with driver_cursor(connection, name) as cursor, cursor.copy(sql) as copy:
        copy.write(lines)
    note_written(connection, AuditEntry.__tablename__)


__all__ = ["StagedAudit", "audit_rows", "import_audit", "stored_audit_row"]
