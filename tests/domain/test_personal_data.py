"""The personal-data rules are dated data (docs/personal-data.md): read, checked, and refused in
one line naming the file when wrong."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from rumah_perisai.domain.errors import RuleDataError
from rumah_perisai.domain.personal_data import (
    erased_nik,
    is_erased_nik,
    keyed_nik,
    load_personal_data_rules,
    personal_data_rules,
)
from rumah_perisai.resources import resource_path

SHIPPED = resource_path("rules", "personal_data.json")


def test_the_shipped_rules_erase_identity_and_keep_receipts_ten_years() -> None:
    rules = personal_data_rules(date(2026, 12, 7))
    assert {"name", "nik", "phone", "street", "heir_name", "birth_place"} <= rules.erase
    assert rules.reduce == {"birth_date": "year"}
    assert rules.kept("receipts").years == 10
    assert "8/1997" in rules.kept("receipts").source
    assert rules.answer_within_hours == 72


def test_before_the_law_was_in_force_there_is_no_rule() -> None:
    with pytest.raises(RuleDataError):
        personal_data_rules(date(2024, 10, 16))


def _variant(tmp_path: Path, **changes: object) -> Path:
    document = json.loads(SHIPPED.read_text(encoding="utf-8"))
    document["rules"][0].update(changes)
    path = tmp_path / "personal_data.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "changes",
    [
        {"erase": ["name", "nik", "kpj"]},  # a column an erasure may not touch
        {"erase": ["phone"]},  # the name and the NIK must go
        {"reduce": {"birth_date": "month"}},
        {"keep": []},
        {"valid_from": "someday"},
    ],
)
def test_a_wrong_rules_file_is_refused_naming_it(tmp_path: Path, changes: dict[str, Any]) -> None:
    with pytest.raises(RuleDataError) as caught:
        load_personal_data_rules(_variant(tmp_path, **changes))
    assert "personal_data.json" in str(caught.value)


def test_an_erased_nik_is_never_a_nik_and_the_keyed_value_needs_the_key() -> None:
    placeholder = erased_nik(1234)
    assert len(placeholder) == 16 and not placeholder.isdigit() and is_erased_nik(placeholder)
    nik = "3209014501900002"
    assert keyed_nik(b"post key", nik) == keyed_nik(b"post key", nik)
    assert keyed_nik(b"post key", nik) != keyed_nik(b"another key", nik)
    assert nik not in keyed_nik(b"post key", nik)
