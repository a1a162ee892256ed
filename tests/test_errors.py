"""The one sorting of exceptions the command line and the window share (issue 18, item 2): a
refusal is the user's (one line, in their language), anything else a bug (its traceback logged)."""

from __future__ import annotations

import errno
import logging
import sqlite3
from datetime import date

import pytest
from sqlalchemy.exc import OperationalError

from rumah_perisai.domain.coverage import CoverHistory, Standing, next_payable_months
from rumah_perisai.domain.errors import RuleError
from rumah_perisai.errors import EXIT_REFUSED, EXIT_USAGE, UsageError, UserError, as_refusal, triage
from rumah_perisai.i18n import speaking


def _rule_error() -> RuleError:
    history = CoverHistory(Standing.MEMBER, date(2026, 1, 5), None, frozenset())
    with pytest.raises(RuleError) as raised:
        next_payable_months(history, date(2026, 11, 27), 5)
    return raised.value


def test_a_user_error_is_its_own_refusal() -> None:
    refused = UserError("no_post")
    assert as_refusal(refused) is refused
    usage = UsageError("argument_not_text", value="x")
    assert as_refusal(usage) is usage and usage.exit_code == EXIT_USAGE


def test_a_rule_error_is_a_refusal_in_the_users_language() -> None:
    with speaking("id"):
        refusal = as_refusal(_rule_error())
    assert refusal is not None
    assert refusal.key == "bad_month_count" and refusal.exit_code == EXIT_REFUSED
    assert refusal.message() == "Iuran dibayar untuk 1, 3, 6 atau 12 bulan."
    assert refusal.log_text() == "bad_month_count"


def test_a_refused_file_logs_its_error_number_not_its_name() -> None:
    failure = OSError(errno.ENAMETOOLONG, "File name too long", "Siti Aminah.pdf")
    refusal = as_refusal(failure)
    assert refusal is not None and refusal.key == "file_failed"
    assert "Siti Aminah.pdf" in refusal.message()
    assert refusal.log_text() == f"file_failed errno={errno.ENAMETOOLONG}"


def test_a_busy_database_is_a_refusal_and_another_driver_error_a_bug() -> None:
    busy = OperationalError("BEGIN", {}, sqlite3.OperationalError("database is locked"))
    refusal = as_refusal(busy, "sqlite:///x.db")
    assert refusal is not None and refusal.key == "db_busy"
    broken = OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x"))
    assert as_refusal(broken, "sqlite:///x.db") is None


def test_triage_logs_a_refusal_by_its_key_and_a_bug_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="rumah_perisai.errors"):
        assert triage(UserError("participant_missing", ref="Siti")) is not None
        try:
            _ = {}["missing"]
        except KeyError as bug:
            assert triage(bug) is None
    refused, crashed = caplog.records
    assert refused.getMessage() == "refused: participant_missing ref=…"  # never the name
    assert crashed.getMessage() == "internal error" and crashed.exc_info is not None
    assert "Traceback" in caplog.text
