"""The post and source columns come from the mixins in ``db/models.py``, so they cannot drift."""

from __future__ import annotations

from sqlalchemy import Index

from rumah_perisai.db.models import Base, FromPost, Post, PostRecord
from rumah_perisai.services.batches import CARRIED


def _mapped(mixin: type) -> set[type]:
    return {m.class_ for m in Base.registry.mappers if issubclass(m.class_, mixin)}


def test_every_record_a_batch_carries_has_the_branchs_source_columns() -> None:
    """The branch upserts each carried record by (post_id, source_id); posts go by their code."""
    carried = {model for _part, model in CARRIED if model is not Post}
    assert _mapped(FromPost) == carried


# Keyed by what they count, not records of a post: the branch's distinct NIK prefixes per post
# (the post is part of the key, ``NikPrefix``).
_KEYED_BY_POST = {"nik_prefixes"}


def test_every_table_with_a_post_id_takes_it_from_post_record() -> None:
    with_post = {t.name for t in Base.metadata.tables.values() if "post_id" in t.c}
    assert {model.__tablename__ for model in _mapped(PostRecord)} == with_post - _KEYED_BY_POST


def test_the_branch_finds_each_record_by_its_post_and_source_id() -> None:
    for model in _mapped(FromPost):
        table = Base.metadata.tables[model.__tablename__]
        found = [i for i in table.indexes if i.name == f"ix_{table.name}_post_source"]
        assert len(found) == 1, table.name
        index: Index = found[0]
        assert index.unique, table.name
        assert [c.name for c in index.columns] == ["post_id", "source_id"], table.name


def test_the_post_columns_come_first_in_the_order_batches_write_them() -> None:
    """``services.batches`` writes a table's columns in its order: the mixins keep theirs."""
    for model in _mapped(FromPost):
        names = [c.name for c in Base.metadata.tables[model.__tablename__].columns]
        assert names[:4] == ["id", "post_id", "source_id", "source_change"], model.__name__
    assert [c.name for c in Base.metadata.tables["call_outcomes"].columns][:3] == [
        "id",
        "post_id",
        "post_code",
    ]
