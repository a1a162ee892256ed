"""Fixtures for the domain tests: rule files written to a temporary folder."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

WriteRules = Callable[[dict[str, object]], Path]


@pytest.fixture
def write_rules(tmp_path: Path) -> WriteRules:
    """Write a rules document as JSON and return its path (one new file per call)."""
    counter = iter(range(1_000))

    def write(document: dict[str, object]) -> Path:
        path = tmp_path / f"rules_{next(counter)}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        return path

    return write
