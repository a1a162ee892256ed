"""``receipts verify --quick`` looks up the participants of the few receipts after the last
full check one by one, not the post's 200,000 at once (issue 21): still only this post's."""

from __future__ import annotations

from tests.services.test_chain_quick import (  # noqa: F401  (fixtures)
    _sqlite_only,
    _verify,
    checked,
    five_receipts,
)
from tests.services.test_receipt_chain import Copy, _tamper
from tests.services.test_receipt_chain_sql import OTHER_POST


def test_a_participant_moved_after_the_full_check_is_named_by_quick(
    checked: Copy,  # noqa: F811
) -> None:
    """The receipts after the recorded full check, their participants looked up one by one:
    a participant of one of them moved to another post is not taken as whole; the full check
    then names the first receipt of that participant (the second, before the record)."""
    _tamper(
        checked,
        OTHER_POST,
        "UPDATE participants SET post_id = 900 WHERE id = (SELECT participant_id FROM receipts"
        " WHERE number = 'RP3209A-2026-000007')",
    )
    code, found, _err = _verify(checked, "--quick")
    assert code == 1 and (found["problem"], found["receipt"]) == ("altered", "RP3209A-2026-000002")
