"""``access list`` (issue 19, item 2): the looks the commands record (a card, a receipt, the call
list, the daily summary) read back by a coordinator, per participant and per volunteer; bad
input is one line on stderr, exit 1, nothing shown and nothing changed."""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from rumah_perisai import app as app_module
from rumah_perisai.app import App
from rumah_perisai.cli import main
from rumah_perisai.db.models import AccessRecord, AuditEntry, Receipt
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.services.access import Doc, Look, record_access
from rumah_perisai.services.cash import close_day, till
from rumah_perisai.services.dues import payment_options, take_payment
from rumah_perisai.services.posts import PostSummary, the_post
from rumah_perisai.services.volunteers import ROLE_COORDINATOR, AccountSetup, Actor, add_account
from tests.conftest import FakeClock

PIN = "482913"
RINA = "Rina Wulandari"  # a coordinator with a PIN of today's rule (the CLI refuses older ones)


@dataclass
class World:
    app: App
    argv: list[str]
    payer: str  # registration numbers
    other: str
    receipt: str

    def run(self, *argv: str, stdin: str = "") -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = main([*self.argv, *argv], out=out, err=err, stdin=io.StringIO(stdin))
        return code, out.getvalue(), err.getvalue()

    def listing(self, *argv: str, who: str = RINA, pin: str = PIN) -> tuple[int, str, str]:
        return self.run("access", "list", *argv, "--coordinator", who, stdin=f"{pin}\n")

    def counts(self) -> tuple[int, int]:
        with self.app.db.reading() as session:
            return (
                session.scalar(select(func.count()).select_from(AccessRecord)) or 0,
                session.scalar(select(func.count()).select_from(AuditEntry)) or 0,
            )


@pytest.fixture
def world(
    app: App,
    post: PostSummary,
    add_participant: Callable[..., int],
    volunteer: Actor,
    coordinator: Actor,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> World:
    with app.db.unit_of_work(coordinator.label) as session:
        add_account(session, the_post(session), AccountSetup(RINA, PIN), ROLE_COORDINATOR)
    start = date(2026, 10, 1)
    history = CoverHistory(Standing.MEMBER, start, date(2026, 11, 30), frozenset())
    payer = add_participant(registered_on=start, history=history)
    add_participant(registered_on=start, history=history)
    total = payment_options(app.db, payer).plan(1).total
    receipt_id = take_payment(app.db, payer, 1, total, volunteer).receipt_id
    today = till(app.db)
    counted = {line.volunteer_key: line.expected for line in today.lines}
    close_day(app.db, today.day, counted, coordinator, through_seq=today.through_seq)
    with app.db.reading() as session:
        receipt = session.get(Receipt, receipt_id)
        assert receipt is not None
    monkeypatch.setattr(app_module, "open_app", functools.partial(app_module.open_app, clock=clock))
    url = app.db.engine.url.render_as_string(hide_password=False)
    argv = ["--data-dir", str(app.folder.root), "--db", url]
    return World(app, argv, "RP3209A-000001", "RP3209A-000002", receipt.number)


def test_the_commands_looks_are_listed_for_a_coordinator(
    world: World, tmp_path: Path, clock: FakeClock
) -> None:
    assert world.run("card", "print", world.payer, "--out", str(tmp_path / "k.pdf"))[0] == 0
    clock.advance(minutes=1)
    receipt = ["receipt", "print", world.receipt, "--out", str(tmp_path / "r.pdf")]
    assert world.run(*receipt)[0] == 0
    clock.advance(minutes=1)
    assert world.run("calls", "--out", str(tmp_path / "c.xlsx"), "--within", "90")[0] == 0
    clock.advance(minutes=1)
    summary = ["cash", "summary", "2026-11-27", "--out", str(tmp_path / "s.pdf")]
    assert world.run(*summary)[0] == 0
    code, out, err = world.listing("--participant", world.payer.lower(), "--json")
    assert (code, err) == (0, "")
    looks = json.loads(out)
    assert [(r["action"], r["what"]) for r in looks] == [
        ("list", "cash-summary-pdf"),
        ("list", "call-list-xlsx"),
        ("receipt", "receipt-pdf"),
        ("card", "card-pdf"),
    ]
    assert all(r["actor"].startswith("cli:") and r["volunteer"] is None for r in looks)
    assert looks[1]["subjects"] == 2  # the call list: one record, both people on it
    assert looks[3]["at"] == "2026-11-27T02:30:00+00:00"
    code, out, _err = world.listing("--participant", world.payer)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 4
    assert lines[-1].startswith("2026-11-27 09:30\tcard\tcard-pdf\t1\tcli:")


def test_a_volunteers_looks_by_day(world: World, volunteer: Actor, clock: FakeClock) -> None:
    ids = [1, 2]
    record_access(world.app.db, volunteer, Look.LIST, ids, Doc.CALL_LIST_PDF)
    clock.advance(days=3)
    record_access(world.app.db, volunteer, Look.VIEW, [2], Doc.WINDOW)
    code, out, err = world.listing("--volunteer", " ujang  hidayat ", "--json")
    assert (code, err) == (0, "")
    assert [(r["action"], r["registration_nos"]) for r in json.loads(out)] == [
        ("view", [world.other]),
        ("list", [world.payer, world.other]),
    ]
    code, out, _err = world.listing(
        "--volunteer", "Ujang Hidayat", "--from", "2026-11-27", "--to", "2026-11-28"
    )
    assert code == 0 and [line.split("\t")[1] for line in out.splitlines()] == ["list"]


@pytest.mark.parametrize(
    ("argv", "who", "says"),
    [
        (["--participant", "RP3209A-999999"], RINA, "RP3209A-999999"),
        (["--volunteer", "Nobody Here"], RINA, "Nobody Here"),
        (["--participant", "RP3209A-000001"], "Ujang Hidayat", "koordinator"),
        (
            ["--participant", "RP3209A-000001", "--from", "2026-11-28", "--to", "2026-11-01"],
            RINA,
            "2026-11-28",
        ),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    world: World, argv: list[str], who: str, says: str
) -> None:
    before = world.counts()
    pin = "2468" if who == "Ujang Hidayat" else PIN
    code, out, err = world.listing(*argv, who=who, pin=pin)
    assert (code, out) == (1, "")
    assert len(err.strip().splitlines()) == 1 and says in err
    assert world.counts()[0] == before[0]  # no look recorded, none listed


def test_without_a_coordinator_it_is_refused(world: World) -> None:
    code, out, err = world.run("access", "list", "--participant", world.payer)
    assert (code, out) == (1, "")
    assert "koordinator" in err.lower()


def test_the_search_commands_hits_are_a_list_taken_away(world: World) -> None:
    """``search`` prints full NIKs and names to a terminal or a file: one look with every hit,
    and none when nothing matched."""
    before = world.counts()[0]
    assert world.run("search", "zzzz-nobody", "--json")[0] == 0
    assert world.counts()[0] == before
    code, out, _err = world.run("search", "Peserta", "--json")
    assert code == 0 and len(json.loads(out)) == 2
    code, out, err = world.listing("--participant", world.other, "--json")
    assert (code, err) == (0, "")
    looks = json.loads(out)
    assert [(r["action"], r["what"], r["subjects"]) for r in looks] == [("list", "search", 2)]
