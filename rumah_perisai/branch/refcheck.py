"""A post's batch on PostgreSQL: its references checked set-based, once per foreign key,
instead of by the server's foreign-key triggers, one row at a time (issue 21).

Each row a batch writes had every reference of its foreign keys checked by a trigger of
PostgreSQL's: ~1.8 million lookups (each taking a ``FOR KEY SHARE`` lock on the row it found)
for 100 posts' first batches, about half of the server's time in their INSERTs; a week's 400
later batches ~10 ms each. Here a part's upsert runs with ``session_replication_role = replica``
(set for that one statement, in the batch's own transaction: every other writer is still
checked by the constraints, which stay in the schema), and then one query per foreign key of
the table — the list read from the model's metadata, so a foreign key added later cannot be
forgotten — looks for a row the batch wrote (inserted or updated: it carries the import's change
number) whose reference points at no row (``dangling``); one found refuses the batch as a
reference the post never sent refuses it (``batch_dangling``), and nothing of the batch stays.

What the triggers did besides is not needed here: their locks keep a referenced row from being
deleted, or its key changed, before the transaction ends, and records are never deleted (the
unit of work refuses it, and no statement of the program deletes one of the tables a batch
refers to) nor their ids changed; the rows a batch refers to are the post's own (each reference
is mapped by a join on the post's id), written in this same transaction or an earlier import,
or the post's row. A row a later batch updates keeps its id, so no row referring to it is left
pointing at nothing (the triggers on the referenced side had nothing to do either).

The fast way is used only where it changes nothing else:

* the importer's user may set the parameter (a superuser, or on PostgreSQL 15+ one granted
  ``GRANT SET ON PARAMETER session_replication_role TO <user>``): tried once per transaction in
  a savepoint; refused, the triggers check as before and nothing is said;
* the session's own role is ``origin`` (the default);
* the table has no trigger but its foreign keys' and no rule: ``replica`` would silence them
  too (a deferrable unique key's recheck is such a trigger). The branch's schema has none
  (tested); a table that gains one is simply written the old way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table

ROLE = "session_replication_role"
_SAVEPOINT = "rp_replica_probe"


@dataclass(frozen=True, order=True)
class ForeignKey:
    """One foreign key of a table: its columns, and the columns of the table they refer to."""

    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]


def foreign_keys(table: Table) -> list[ForeignKey]:
    """The table's foreign keys as the model declares them, in a fixed order."""
    found = []
    for constraint in table.foreign_key_constraints:
        elements = list(constraint.elements)
        found.append(
            ForeignKey(
                tuple(e.parent.name for e in elements),
                elements[0].column.table.name,
                tuple(e.column.name for e in elements),
            )
        )
    return sorted(found)


def dangling(table: Table, written: str) -> str | None:
    """One query over the rows ``written`` (a condition on the table ``t``) that returns, for
    each foreign key with a row pointing at nothing, that key's place in ``foreign_keys``.
    None: the table has no foreign key.

    A key's columns all set are checked (``MATCH SIMPLE``, as the constraint does), each
    distinct value once, looked up by the referenced table's key: a scalar sub-select is run per
    value and never turned into a join, so no plan reads the whole referenced table (a branch of
    millions of rows) for a batch of thousands."""
    checks = []
    for index, key in enumerate(foreign_keys(table)):
        columns = ", ".join(f"t.{c}" for c in key.columns)
        set_ = " AND ".join(f"t.{c} IS NOT NULL" for c in key.columns)
        match = " AND ".join(
            f"p.{p} = d.{c}" for c, p in zip(key.columns, key.parent_columns, strict=True)
        )
        checks.append(
            f"SELECT {index} AS found WHERE EXISTS (SELECT 1 FROM (SELECT DISTINCT {columns}"
            f" FROM {table.name} t WHERE {written} AND {set_}) d"
            f" WHERE (SELECT 1 FROM {key.parent} p WHERE {match} LIMIT 1) IS NULL)"
        )
    return " UNION ALL ".join(checks) if checks else None


def _triggered(tables: list[str]) -> str:
    """The query of the ``tables`` that have a trigger other than their foreign keys' own, or a
    rule: ``replica`` would silence those too."""
    names = ", ".join(f"'{name}'" for name in sorted(tables))
    return (
        f"SELECT c.relname FROM pg_class c WHERE c.oid IN (SELECT to_regclass(n)"
        f" FROM unnest(ARRAY[{names}]) n) AND (EXISTS (SELECT 1 FROM pg_trigger g"
        " WHERE g.tgrelid = c.oid AND NOT (g.tgisinternal AND EXISTS (SELECT 1 FROM"
        " pg_constraint k WHERE k.oid = g.tgconstraint AND k.contype = 'f')))"
        " OR EXISTS (SELECT 1 FROM pg_rewrite r WHERE r.ev_class = c.oid))"
    )


def replica_tables(raw: Any, tables: list[str]) -> frozenset[str]:
    """Of ``tables``, those a batch may write with the triggers off, in the transaction
    of the driver's connection ``raw``: none when the user may not set the parameter (tried in
    a savepoint: the transaction goes on as if nothing had been tried) or the session's role is
    not the default."""
    with raw.cursor() as cursor:
        cursor.execute(f"SELECT current_setting('{ROLE}')")
        row = cursor.fetchone()
        if row is None or row[0] != "origin":
            return frozenset()
        try:
            cursor.execute(
                f"SAVEPOINT {_SAVEPOINT}; SET LOCAL {ROLE} = replica;"
                f" SET LOCAL {ROLE} = origin; RELEASE SAVEPOINT {_SAVEPOINT}"
            )
        except Exception as error:  # psycopg's InsufficientPrivilege (not installed at a post)
            if not type(error).__module__.startswith("psycopg"):
                raise
            cursor.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}; RELEASE SAVEPOINT {_SAVEPOINT}")
            return frozenset()
        cursor.execute(_triggered(tables))
        return frozenset(tables) - {str(name) for (name,) in cursor.fetchall()}


def without_triggers(statement: str) -> list[str]:
    """``statement`` run with the foreign keys' triggers off, and the role set back after."""
    return [f"SET LOCAL {ROLE} = replica", statement, f"SET LOCAL {ROLE} = origin"]


def user_triggers(connection: Connection, tables: list[str]) -> list[str]:
    """The ``tables`` ``replica_tables`` would leave out (for the tests: none of the branch's)."""
    return sorted(str(name) for (name,) in connection.exec_driver_sql(_triggered(tables)))


__all__ = ["ROLE", "ForeignKey", "dangling", "foreign_keys", "replica_tables", "user_triggers",
           "without_triggers"]  # fmt: skip
