"""Every document the window prints, written by a command (issue 18, item 3): ``receipt print``,
``cash summary``, ``calls`` and ``incentives statement`` write what the window shows, read back
here (the receipt's QR decoded, the PDFs' text, the spreadsheet's cells) and compared with the
window's own code path on the same data; bad input is one line, exit 1 or 2, and no file."""

from __future__ import annotations

import errno
import functools
import io
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from rumah_perisai import app as app_module
from rumah_perisai.app import App
from rumah_perisai.cli import main
from rumah_perisai.db.models import Receipt
from rumah_perisai.domain.coverage import CoverHistory, Standing
from rumah_perisai.domain.receipt_qr import read_receipt_qr
from rumah_perisai.i18n import speaking
from rumah_perisai.keys import load_post_key, public_bytes
from rumah_perisai.printing.call_list import call_list_pdf
from rumah_perisai.printing.incentives import statement_pdf
from rumah_perisai.services.call_list import call_list, record_call
from rumah_perisai.services.cash import close_day, till
from rumah_perisai.services.dues import payment_options, take_payment, void_receipt
from rumah_perisai.services.incentives import volunteer_month
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.volunteers import Actor
from tests.conftest import FakeClock
from tests.printing.test_document_golden import _pdf_lines, _sheet_text

DAY = date(2026, 11, 27)  # the clock's day (conftest)


@dataclass
class World:
    app: App
    post: PostSummary
    argv: list[str]
    paid: str  # receipt numbers
    voided: str
    void: str
    close_id: int
    volunteer_id: int

    def run(self, *argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = main([*self.argv, *argv], out=out, err=err)
        return code, out.getvalue(), err.getvalue()


def _promotion(start: date, end: date) -> CoverHistory:
    return CoverHistory(Standing.MEMBER, start, end, frozenset())


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
    """A post on the clock's day: a payment, a payment voided, the day closed, people to call;
    the commands open the same database on the same clock."""
    add_participant(
        registered_on=date(2026, 8, 3), name="Budi Santoso", phone="081234567890",
        history=_promotion(date(2026, 8, 3), date(2026, 11, 30)),
    )  # fmt: skip
    june = date(2026, 6, 10)
    late = add_participant(registered_on=june, name="Cici Paramida", phone="085711112222",
                           history=_promotion(june, date(2026, 9, 30)))  # fmt: skip
    record_call(app.db, late, "promised", volunteer, "Bayar hari Jumat")
    numbers = []
    for name, months in (("Siti Aminah", 3), ("Eko Prasetyo", 1)):
        start = date(2026, 10, 1)
        who = add_participant(
            registered_on=start, history=_promotion(start, date(2027, 1, 31)), name=name
        )
        total = payment_options(app.db, who).plan(months).total
        numbers.append(take_payment(app.db, who, months, total, volunteer).receipt_id)
    voided = void_receipt(app.db, numbers[1], "Salah input peserta", coordinator)
    today = till(app.db)
    counted = {line.volunteer_key: line.expected for line in today.lines}
    close_id = close_day(app.db, today.day, counted, coordinator, through_seq=today.through_seq)
    with app.db.reading() as session:
        paid = session.get(Receipt, numbers[0])
        assert paid is not None
    monkeypatch.setattr(app_module, "open_app", functools.partial(app_module.open_app, clock=clock))
    url = app.db.engine.url.render_as_string(hide_password=False)
    return World(
        app, post, ["--data-dir", str(app.folder.root), "--db", url],
        paid.number, voided.voided_number, voided.number, close_id, volunteer.volunteer_id or 0,
    )  # fmt: skip


# --- receipt print --------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["a5", "thermal58"])
def test_receipt_print_writes_the_windows_reprint(
    world: World,
    layout: str,
    qapp: Any,
    read_codes: Callable[[bytes], list[str]],
    tmp_path: Path,
) -> None:
    from rumah_perisai.ui.receipt_dialog import ReceiptDialog

    out = tmp_path / "kuitansi.pdf"
    code, stdout, err = world.run("receipt", "print", world.paid, "--out", str(out),
                                  "--layout", layout)  # fmt: skip
    assert (code, stdout, err) == (0, f"{out}\n", "")
    pdf = out.read_bytes()
    key = public_bytes(load_post_key(world.app.folder.keys).public_key())
    checked = [read_receipt_qr(text, {world.post.code: key}) for text in read_codes(pdf)]
    assert {c.number for c in checked if c is not None} == {world.paid}
    text = " ".join(_pdf_lines(pdf))
    assert world.paid in text and "SALINAN" in text and "Siti Aminah" in text
    receipt_id = _receipt_id(world, world.paid)
    window = ReceiptDialog(world.app.db, world.app.folder, receipt_id, layout, True)
    assert window.pdf == pdf  # the window's reprint, byte for byte
    window.deleteLater()


def test_receipt_print_of_a_void_as_the_window_shows_it_in_the_posts_layout(
    world: World, qapp: Any, tmp_path: Path
) -> None:
    from rumah_perisai.ui.receipt_dialog import ReceiptDialog

    out = tmp_path / "batal.pdf"
    # "receipts" is the same group; the number as typed or scanned, any case
    assert world.run("receipts", "print", world.void.lower(), "--out", str(out))[0] == 0
    text = " ".join(_pdf_lines(out.read_bytes()))
    assert world.void in text and world.voided in text and "Salah input peserta" in text
    window = ReceiptDialog(
        world.app.db, world.app.folder, _receipt_id(world, world.void), "a5", True
    )  # fmt: skip  (a5: the post's receipt layout by default)
    assert window.pdf == out.read_bytes()
    window.deleteLater()


def _receipt_id(world: World, number: str) -> int:
    from rumah_perisai.services.dues import find_receipt

    return find_receipt(world.app.db, number)


# --- cash summary ---------------------------------------------------------------------------------


def test_cash_summary_writes_the_cash_windows_daily_summary(
    world: World, qapp: Any, tmp_path: Path
) -> None:
    from rumah_perisai.ui.cash_dialog import SummaryDialog

    out = tmp_path / "rekap.pdf"
    code, stdout, err = world.run("cash", "summary", DAY.isoformat(), "--out", str(out))
    assert (code, stdout, err) == (0, f"{out}\n", "")
    pages = _pdf_lines(out.read_bytes())
    assert world.paid in " ".join(pages) and world.void in " ".join(pages)
    window = SummaryDialog(world.app.db, world.close_id, "close")
    assert _pdf_lines(window.pdf) == pages
    window.deleteLater()


# --- calls ----------------------------------------------------------------------------------------


def test_calls_writes_the_dashboards_spreadsheet_and_paper(
    world: World, qapp: Any, tmp_path: Path
) -> None:
    from rumah_perisai.printing.call_list import export_xlsx

    sheet = tmp_path / "panggilan.xlsx"
    assert world.run("calls", "--out", str(sheet), "--within", "30") == (0, f"{sheet}\n", "")
    rows = call_list(world.app.db, DAY, within_days=30)
    assert {r.name for r in rows} >= {"Budi Santoso", "Cici Paramida"}
    export_xlsx(rows, tmp_path / "window.xlsx")  # the dashboard's Export…
    assert _sheet_text(sheet) == _sheet_text(tmp_path / "window.xlsx")

    paper = tmp_path / "panggilan.PDF"
    assert world.run("calls", "--out", str(paper), "--within", "30")[0] == 0
    window = call_list_pdf(rows, world.post.name, DAY)  # the dashboard's Print…
    assert _pdf_lines(paper.read_bytes()) == _pdf_lines(window)
    assert "Budi Santoso" in " ".join(_pdf_lines(window))


def test_calls_filtered_by_volunteer_keeps_only_theirs(world: World, tmp_path: Path) -> None:
    sheet = tmp_path / "ujang.xlsx"
    code, _, err = world.run("calls", "--out", str(sheet), "--volunteer", "ujang hidayat")
    assert (code, err) == (0, "")
    rows = call_list(world.app.db, DAY, volunteer_id=world.volunteer_id)
    assert f"A{len(rows) + 2}\t" not in _sheet_text(sheet)  # no more rows than the filter's


# --- incentives statement -------------------------------------------------------------------------


def test_incentives_statement_writes_the_dashboards_statement(
    world: World, qapp: Any, tmp_path: Path
) -> None:
    out = tmp_path / "insentif.pdf"
    code, stdout, err = world.run("incentives", "statement", "2026-11", "--volunteer",
                                  "Ujang Hidayat", "--out", str(out))  # fmt: skip
    assert (code, stdout, err) == (0, f"{out}\n", "")
    with speaking("id"):  # the dashboard's print_statement, line for line
        statement = volunteer_month(world.app.db, world.volunteer_id, DAY)
    window = statement_pdf(statement, world.post.name, wadah=world.post.wadah, is_demo=False)
    assert _pdf_lines(out.read_bytes()) == _pdf_lines(window)
    assert "Ujang Hidayat" in " ".join(_pdf_lines(window))


# --- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "exit_code", "said"),
    [
        (["receipt", "print", "KW-NOPE", "--out", "{out}"], 1, "KW-NOPE"),
        (["receipt", "print", "{paid}", "--out", "{out}", "--layout", "a4"], 2, ""),
        (["cash", "summary", "27-11-2026", "--out", "{out}"], 2, "YYYY-MM-DD"),
        (["cash", "summary", "2026-11-26", "--out", "{out}"], 1, "26 Nov 2026"),
        (["calls", "--out", "{dir}/daftar.csv"], 1, ".xlsx"),
        (["calls", "--out", "{out}", "--within", "999"], 2, ""),
        (["calls", "--out", "{out}", "--desa", "99.99"], 1, "99.99"),
        (["calls", "--out", "{out}", "--volunteer", "Nobody Here"], 1, "Nobody Here"),
        (
            [
                "incentives",
                "statement",
                "2026-13",
                "--volunteer",
                "Ujang Hidayat",
                "--out",
                "{out}",
            ],
            2,
            "YYYY-MM",
        ),  # fmt: skip
        (
            ["incentives", "statement", "2026-11", "--volunteer", "Nobody Here", "--out", "{out}"],
            1,
            "Nobody Here",
        ),  # fmt: skip
        (["incentives", "statement", "2026-11", "--out", "{out}"], 2, ""),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    world: World, tmp_path: Path, argv: list[str], exit_code: int, said: str
) -> None:
    target = tmp_path / "out"
    target.mkdir()
    fill = {"out": str(target / "dokumen.pdf"), "dir": str(target), "paid": world.paid}
    code, stdout, err = world.run(*(a.format(**fill) for a in argv))
    assert (code, stdout) == (exit_code, "")
    assert err.count("\n") == 1 and said in err and "Traceback" not in err
    assert list(target.iterdir()) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["receipt", "print", "{paid}"],
        ["cash", "summary", "2026-11-27"],
        ["calls"],
        ["incentives", "statement", "2026-11", "--volunteer", "Ujang Hidayat"],
    ],
)
def test_an_existing_file_is_never_overwritten(
    world: World, tmp_path: Path, argv: list[str]
) -> None:
    out = tmp_path / "dokumen.pdf"
    out.write_bytes(b"the user's own file")
    code, stdout, err = world.run(*(a.format(paid=world.paid) for a in argv), "--out", str(out))
    assert (code, stdout) == (1, "") and err.count("\n") == 1 and str(out) in err
    assert out.read_bytes() == b"the user's own file"
    missing = tmp_path / "no such folder" / "dokumen.pdf"
    code, _, err = world.run(*(a.format(paid=world.paid) for a in argv), "--out", str(missing))
    assert code == 1 and err.count("\n") == 1 and not missing.parent.exists()


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="root writes into a read-only folder"
)
def test_an_unwritable_folder_is_refused_and_leaves_nothing(world: World, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code, stdout, err = world.run("cash", "summary", DAY.isoformat(),
                                      "--out", str(locked / "rekap.pdf"))  # fmt: skip
        assert (code, stdout) == (1, "") and err.count("\n") == 1 and str(locked) in err
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


def test_a_disk_that_fills_up_leaves_no_file(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root writes into any folder, so a full disk stands for every write the system refuses."""
    from rumah_perisai.exchange import safe_write

    def full(_fd: int, _chunk: memoryview) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(safe_write, "write_chunk", full)
    (tmp_path / "stick").mkdir()
    out = tmp_path / "stick" / "rekap.pdf"
    code, stdout, err = world.run("cash", "summary", DAY.isoformat(), "--out", str(out))
    assert (code, stdout) == (1, "") and err.count("\n") == 1 and str(out) in err
    assert list(out.parent.iterdir()) == []
