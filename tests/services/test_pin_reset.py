"""A coordinator who forgot their PIN sets a new one with the post's recovery code (issue 16,
item 4); wrong codes make the next try wait, per post, audited."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from rumah_perisai import vault
from rumah_perisai.app import App
from rumah_perisai.db.models import AuditEntry
from rumah_perisai.errors import UserError
from rumah_perisai.services.pin_reset import reset_pin_with_recovery_code
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.volunteers import Actor, accounts, log_in
from tests.conftest import FakeClock

NEW_PIN = "570264"


def _reset(app: App, code: str, name: str = "Dewi Lestari", pin: str = NEW_PIN) -> Actor:
    return reset_pin_with_recovery_code(app.db, app.folder, code, name, pin, by="app:siti")


def _refusal(app: App, code: str, name: str = "Dewi Lestari", pin: str = NEW_PIN) -> UserError:
    with pytest.raises(UserError) as refused:
        _reset(app, code, name, pin)
    return refused.value


def _another_code(post: PostSummary) -> str:
    code = vault.new_recovery_code()
    return code if code != post.recovery_code else vault.new_recovery_code()


def _audit(app: App, entity: str) -> list[AuditEntry]:
    with app.db.reading() as session:
        return list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
            )
        )


def test_a_coordinator_who_forgot_sets_a_new_pin_with_the_recovery_code(
    app: App, post: PostSummary, coordinator: Actor
) -> None:
    assert post.recovery_code is not None
    typed = post.recovery_code.lower().replace("-", " ")  # as read off the sheet
    assert _reset(app, typed, name="dewi  lestari") == coordinator
    assert log_in(app.db, "Dewi Lestari", NEW_PIN) == coordinator
    with pytest.raises(UserError):
        log_in(app.db, "Dewi Lestari", "1357")
    change = _audit(app, "volunteers")[-1]
    assert change.actor == "app:siti"
    changes = json.loads(change.changes_json)
    assert changes["_reason"] == "PIN reset with the post's recovery code"
    assert set(changes) == {"_reason", "pin_hash"}


def test_wrong_recovery_codes_make_the_next_try_wait_per_post_audited(
    app: App, post: PostSummary, coordinator: Actor, clock: FakeClock
) -> None:
    assert post.recovery_code is not None
    wrong = _another_code(post)
    for _ in range(4):
        assert _refusal(app, wrong).message() == (
            "Itu bukan kode pemulihan pos ini; tidak ada PIN yang diganti."
        )
    locked = _refusal(app, wrong)
    assert (locked.key, locked.params["seconds"]) == ("recovery_locked", 30)
    assert locked.message() == (
        "Terlalu banyak kode pemulihan yang salah. Tunggu 30 detik sebelum mencoba lagi; "
        "tidak ada PIN yang diganti."
    )
    assert _refusal(app, post.recovery_code).key == "recovery_locked"  # right, but too soon
    clock.advance(seconds=30)
    assert _refusal(app, wrong).params["seconds"] == 60  # doubling, as for PINs
    clock.advance(seconds=60)
    _reset(app, post.recovery_code)
    assert log_in(app.db, "Dewi Lestari", NEW_PIN) == coordinator
    entries = _audit(app, "login_guards")
    assert {e.entity_key for e in entries} == {"recovery:RP3209A"}
    assert {e.actor for e in entries} == {"app:siti"}
    reasons = [json.loads(e.changes_json).get("_reason") for e in entries]
    assert reasons == [None] * 4 + [
        "locked out for 30 s after 5 wrong recovery codes in a row",
        "locked out for 60 s after 6 wrong recovery codes in a row",
        None,  # the right code: the count starts again
    ]
    assert json.loads(entries[-1].changes_json)["failures"] == [6, 0]


def test_what_cannot_be_right_costs_no_try(
    app: App, post: PostSummary, coordinator: Actor, volunteer: Actor
) -> None:
    """A typo in the code (its check character), a weak new PIN, a volunteer's or an unknown
    name: refused first, no try counted, nothing changed."""
    assert post.recovery_code is not None
    typo = post.recovery_code[:-1] + ("0" if post.recovery_code[-1] != "0" else "1")
    for _ in range(6):
        assert _refusal(app, typo).key == "recovery_code_bad_form"
        assert _refusal(app, post.recovery_code, pin="123456").key == "pin_rule"
        assert _refusal(app, post.recovery_code, name="Ujang Hidayat").message() == (
            "Ujang Hidayat bukan koordinator aktif pos ini. Kode pemulihan hanya mengganti PIN "
            "koordinator; relawan mendapat PIN baru dari koordinator."
        )
        assert _refusal(app, post.recovery_code, name="Nobody").key == "pin_reset_not_coordinator"
    assert _audit(app, "login_guards") == []
    assert log_in(app.db, "Dewi Lestari", "1357") == coordinator


def test_the_reset_ends_the_wait_from_wrong_pins(
    app: App, post: PostSummary, coordinator: Actor
) -> None:
    assert post.recovery_code is not None
    for _ in range(5):
        with pytest.raises(UserError):
            log_in(app.db, "Dewi Lestari", "482914")
    assert accounts(app.db)[0].locked_until is not None
    _reset(app, post.recovery_code)
    assert log_in(app.db, "Dewi Lestari", NEW_PIN) == coordinator
    assert accounts(app.db)[0].wrong_pins == 0


def test_a_post_without_a_recovery_code_says_who_can_help(
    app: App, post: PostSummary, coordinator: Actor
) -> None:
    """A post converted from before issue 16 has no code until a coordinator issues one."""
    assert post.recovery_code is not None
    record = json.loads((app.folder.root / "vault.json").read_text())
    record["recovery"] = None
    (app.folder.root / "vault.json").write_text(json.dumps(record))
    assert _refusal(app, post.recovery_code).message() == (
        "Pos ini belum punya kode pemulihan, jadi PIN tidak bisa diganti dengannya. Koordinator "
        "lain bisa memberi PIN baru lewat Berkas → Akun relawan."
    )
