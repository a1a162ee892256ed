"""What a batch holds is one number, said in the same words on the post's batches page (before
and after it is written), by ``batch verify`` and in the branch window's import results; its
breakdown adds up to it (issue 17, item 8: "31 catatan" beside a breakdown of 12, "Perubahan 1
sampai 18", "30 catatan" at the branch)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from rumah_perisai.app import App
from rumah_perisai.branch import init_branch
from rumah_perisai.services.dues import void_receipt
from rumah_perisai.ui.batches_dialog import COL_RECORDS, COL_REGISTRATIONS, BatchesDialog
from tests.branch.branch_world import PostSide, make_post
from tests.conftest import FakeClock
from tests.test_cli import run
from tests.ui.test_branch_ui import Chooser, _top, _window

# Three registrations, a payment and its void, and the coordinator's account made at set-up.
HOLDS = "6 catatan: 3 pendaftaran baru, 1 pembayaran, 1 kuitansi dibatalkan, 1 akun relawan"


@pytest.fixture
def branch(app: App) -> App:
    init_branch(app.db, app.folder, "KC-CRB", "BPJS Ketenagakerjaan Cirebon", demo=False)
    return app


@pytest.fixture
def post_a(tmp_path: Path, branch: App, clock: FakeClock) -> Iterator[PostSide]:
    side = make_post(tmp_path, branch, clock, "RP3209A")
    yield side
    side.app.close()


def _adds_up(text: str) -> None:
    """The number before "catatan" is the sum of the numbers after it."""
    found = re.search(r"(\d+) catatan: ([^.]*)", text)
    assert found, text
    parts = [int(n) for n in re.findall(r"(\d+) ", found.group(2) + " ")]
    assert sum(parts) == int(found.group(1)), text


def test_a_batch_holds_the_same_count_on_the_page_in_verify_and_at_the_branch(
    qtbot: QtBot, branch: App, post_a: PostSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):
        post_a.register()
    paid = post_a.pay(1, 3)
    void_receipt(post_a.app.db, paid, "Salah pilih peserta", post_a.coordinator)

    page = BatchesDialog(post_a.app.db, post_a.app.folder, post_a.coordinator)
    qtbot.addWidget(page)
    assert "6 catatan" in page.pending_label.text()  # before it is written: the same count

    written = post_a.export()
    page.refresh()
    assert page.table.item(0, COL_RECORDS).text() == "6"  # type: ignore[union-attr]
    assert page.table.item(0, COL_REGISTRATIONS).text() == "3"  # type: ignore[union-attr]
    page.table.setFocus()
    page.table.selectRow(0)
    shown = page.details_label.text()  # the selected batch, by keyboard, not only a tooltip
    assert HOLDS in shown
    _adds_up(shown)

    code, out, err = run("--data-dir", str(post_a.app.folder.root), "batch", "verify",
                         str(written.path))  # fmt: skip
    assert (code, err) == (0, "")
    assert HOLDS in out and "Perubahan" not in out
    _adds_up(out)

    choose = Chooser(monkeypatch)
    window = _window(qtbot, branch)
    choose.file_lists.append([written.path])
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    (result,) = _top(window)
    assert HOLDS in result.text(4)
    _adds_up(result.text(4))
