"""A new recovery code issued by a coordinator (issue 16): the old one stops working, the issue is
audited without the code, and nobody else may do it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from rumah_perisai import vault
from rumah_perisai.app import App
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import AuditEntry
from rumah_perisai.errors import UserError
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.recovery import last_issued, reissue_recovery_code
from rumah_perisai.services.volunteers import Actor
from tests.conftest import FakeClock


@pytest.fixture(autouse=True)
def _sqlite_only(database_url: str, folder: DataFolder) -> None:
    if database_url != folder.sqlite_url:
        pytest.skip("the recovery record belongs to a post's own data folder")


def test_a_coordinator_issues_a_new_code_and_the_old_one_stops_working(
    app: App, post: PostSummary, coordinator: Actor, clock: FakeClock
) -> None:
    assert post.recovery_code is not None and last_issued(app) is None
    clock.advance(days=3)
    issued = reissue_recovery_code(app, coordinator)
    assert vault.check_recovery_code(app.folder, issued.code)
    assert not vault.check_recovery_code(app.folder, post.recovery_code)
    assert last_issued(app) == clock.now
    sheet = issued.sheet
    assert (sheet.post_code, sheet.code, sheet.issued_at, sheet.timezone) == (
        "RP3209A", issued.code, clock.now, "WIB",
    )  # fmt: skip
    with app.db.reading() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_key == "recovery.issued")
        ).all()
    assert [e.actor for e in entries] == [coordinator.label]
    assert issued.code.replace("-", "") not in entries[0].changes_json
    assert issued.code not in entries[0].changes_json


def test_a_volunteer_cannot_and_nothing_changes(
    app: App, post: PostSummary, volunteer: Actor
) -> None:
    before = (app.folder.root / vault.VAULT_FILE).read_bytes()
    with pytest.raises(UserError) as refused:
        reissue_recovery_code(app, volunteer)
    assert refused.value.key == "coordinator_only"
    assert (app.folder.root / vault.VAULT_FILE).read_bytes() == before
    assert post.recovery_code is not None
    assert vault.check_recovery_code(app.folder, post.recovery_code)
    assert last_issued(app) is None


def test_a_recovery_record_that_cannot_be_written_leaves_no_audit_and_the_old_code(
    app: App, post: PostSummary, coordinator: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(_folder: DataFolder, _code: str) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched, pytest.raises(UserError) as refused:
        patched.setattr(vault, "set_recovery_code", full_disk)
        reissue_recovery_code(app, coordinator)  # said in one line in the dialog
    assert refused.value.key == "file_failed" and "No space" in refused.value.message()
    assert last_issued(app) is None  # the audit rolled back with it
    assert post.recovery_code is not None
    assert vault.check_recovery_code(app.folder, post.recovery_code)
