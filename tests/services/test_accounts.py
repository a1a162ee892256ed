"""Accounts: PINs as slow hashes, coordinators manage volunteers, wrong logins say nothing more."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from rumah_perisai.app import App
from rumah_perisai.db.models import AuditEntry
from rumah_perisai.errors import UserError
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.volunteers import (
    ROLE_COORDINATOR,
    ROLE_VOLUNTEER,
    AccountSetup,
    accounts,
    create_account,
    log_in,
    reset_pin,
    set_active,
)


def test_the_first_coordinator_then_volunteers_added_by_a_coordinator(
    app: App, post: PostSummary
) -> None:
    with pytest.raises(UserError):  # the first account must be a coordinator
        create_account(app.db, AccountSetup("Ujang", "570264"), ROLE_VOLUNTEER, None)
    create_account(app.db, AccountSetup("Dewi Lestari", "482913"), ROLE_COORDINATOR, None)
    dewi = log_in(app.db, "  dewi   LESTARI ", "482913")
    assert dewi.is_coordinator
    with pytest.raises(UserError) as refused:  # later accounts need a coordinator
        create_account(app.db, AccountSetup("Ujang", "570264"), ROLE_VOLUNTEER, None)
    assert refused.value.key == "coordinator_only"
    create_account(app.db, AccountSetup("Ujang Hidayat", "570264"), ROLE_VOLUNTEER, dewi)
    ujang = log_in(app.db, "ujang hidayat", "570264")
    with pytest.raises(UserError):  # a volunteer cannot add accounts
        create_account(app.db, AccountSetup("Euis", "318640"), ROLE_VOLUNTEER, ujang)
    assert [(a.name, a.role) for a in accounts(app.db)] == [
        ("Dewi Lestari", "coordinator"),
        ("Ujang Hidayat", "volunteer"),
    ]
    with app.db.reading() as session:
        actors = [
            e.actor
            for e in session.scalars(select(AuditEntry).where(AuditEntry.entity == "volunteers"))
        ]
    assert actors == ["app:first-coordinator", "volunteer:RP3209A-V001 Dewi Lestari"]


def test_a_wrong_name_or_pin_gets_the_same_answer(app: App, post: PostSummary) -> None:
    create_account(app.db, AccountSetup("Dewi Lestari", "482913"), ROLE_COORDINATOR, None)
    for name, pin in (("Dewi Lestari", "482914"), ("Nobody", "482913")):
        with pytest.raises(UserError) as refused:
            log_in(app.db, name, pin)
        assert refused.value.message() == "Nama atau PIN salah."


def test_a_deactivated_volunteer_cannot_log_in_and_a_reset_pin_works(
    app: App, post: PostSummary
) -> None:
    dewi_account = create_account(app.db, AccountSetup("Dewi", "482913"), ROLE_COORDINATOR, None)
    dewi = log_in(app.db, "Dewi", "482913")
    ujang = create_account(app.db, AccountSetup("Ujang", "570264"), ROLE_VOLUNTEER, dewi)
    set_active(app.db, ujang.id, False, dewi)
    with pytest.raises(UserError):
        log_in(app.db, "Ujang", "570264")
    set_active(app.db, ujang.id, True, dewi)
    reset_pin(app.db, ujang.id, "864209", dewi)
    assert log_in(app.db, "Ujang", "864209").name == "Ujang"
    with pytest.raises(UserError) as refused:
        set_active(app.db, dewi_account.id, False, dewi)
    assert refused.value.key == "cannot_deactivate_self"
    with pytest.raises(UserError):
        reset_pin(app.db, ujang.id, "1111", dewi)  # a weak PIN is refused
