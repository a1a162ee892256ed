"""The branch office's window, as branch staff use it: posts' sticks come in, their batches are
imported (one held behind a missing batch), a post's key is added, a post is suspended and its
batch refused. Posts and the branch are real (``tests/branch/branch_world.py``), on the fake
clock; only the file and input dialogs answer by themselves (what the user would pick or type).
The branch is the test's ``app``: its data folder made a branch, as ``branch init`` does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from rumah_perisai.app import App
from rumah_perisai.branch import branch_keys, branch_posts, init_branch
from rumah_perisai.config import DataFolder
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.ack import ack_file_name
from rumah_perisai.i18n import tr
from rumah_perisai.keys import format_fingerprint
from rumah_perisai.keys.installed import post_key_file_bytes
from rumah_perisai.ui.branch import BranchWindow
from rumah_perisai.ui.branch.posts import (
    COL_CODE,
    COL_FINGERPRINT,
    COL_HELD,
    COL_LAST,
    COL_MISSING,
    COL_PARTICIPANTS,
    COL_STATE,
    short_fingerprint,
)
from rumah_perisai.ui.branch.report import HELD, SUSPENDED
from rumah_perisai.ui.branch.results import RES_FILE, RES_POST, RES_SEQ, RES_STATE
from rumah_perisai.ui.file_dialogs import documents_folder
from rumah_perisai.ui.launch import branch_window
from tests.branch.branch_world import PostSide, make_branch, make_post
from tests.conftest import FakeClock
from tests.dbfiles import open_raw

BRANCH_NAME = "BPJS Ketenagakerjaan Cirebon"


class Chooser:
    """What the dialogs answer: the files picked ([] for Cancel) and the text typed (None for
    Cancel); what they were asked and where the file dialogs opened."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.file_lists: list[list[Path]] = []
        self.files: list[Path] = []
        self.texts: list[str | None] = []
        self.asked: list[str] = []
        self.opened_in: list[str] = []
        monkeypatch.setattr(QFileDialog, "getOpenFileNames", self._open_many)
        monkeypatch.setattr(QFileDialog, "getOpenFileName", self._open)
        monkeypatch.setattr(QInputDialog, "getText", self._text)

    def _open_many(
        self, _parent: Any, caption: str = "", folder: str = "", *_a: Any
    ) -> tuple[list[str], str]:
        self.asked.append(caption)
        self.opened_in.append(folder)
        return [str(p) for p in self.file_lists.pop(0)], ""

    def _open(self, _parent: Any, caption: str = "", folder: str = "", *_a: Any) -> tuple[str, str]:
        self.asked.append(caption)
        self.opened_in.append(folder)
        return str(self.files.pop(0)), ""

    def _text(self, _parent: Any, title: str = "", *_a: Any, **_k: Any) -> tuple[str, bool]:
        self.asked.append(title)
        typed = self.texts.pop(0)
        return (typed or "", typed is not None)


@pytest.fixture
def choose(monkeypatch: pytest.MonkeyPatch) -> Chooser:
    return Chooser(monkeypatch)


@pytest.fixture
def branch(app: App) -> App:
    init_branch(app.db, app.folder, "KC-CRB", BRANCH_NAME, demo=False)
    return app


@pytest.fixture
def post_a(tmp_path: Path, branch: App, clock: FakeClock) -> Iterator[PostSide]:
    side = make_post(tmp_path, branch, clock, "RP3209A")
    yield side
    side.app.close()


@pytest.fixture
def post_b(tmp_path: Path, branch: App, clock: FakeClock) -> Iterator[PostSide]:
    side = make_post(tmp_path, branch, clock, "RP3209B")
    yield side
    side.app.close()


def _window(qtbot: QtBot, app: App) -> BranchWindow:
    """The window ``launch`` opens on this data folder."""
    window = branch_window(app)
    assert isinstance(window, BranchWindow)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    return window


def _cell(window: BranchWindow, code: str, column: int) -> str:
    row = [post.code for post in window.posts].index(code)
    item = window.table.item(row, column)
    assert item is not None
    return item.text()


def _background(window: BranchWindow, code: str, column: int) -> Any:
    row = [post.code for post in window.posts].index(code)
    item = window.table.item(row, column)
    assert item is not None
    return item.background().color()


def _top(window: BranchWindow) -> list[QTreeWidgetItem]:
    tree = window.results
    return [item for i in range(tree.topLevelItemCount()) if (item := tree.topLevelItem(i))]


def _children(item: QTreeWidgetItem) -> list[str]:
    return [child.text(0) for i in range(item.childCount()) if (child := item.child(i))]


def _click(qtbot: QtBot, button: Any) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


# --- choosing the window ----------------------------------------------------------------------


def test_launch_opens_the_branch_window_for_a_branch_folder_and_not_for_a_post(
    qtbot: QtBot, branch: App, post_a: PostSide
) -> None:
    assert branch_window(post_a.app) is None  # a post's folder: the post's window follows
    window = _window(qtbot, branch)
    assert window.actor.label.startswith("branch:")  # nobody logs in: the computer's user
    assert window.windowTitle() == tr(
        "Rumah Perisai — branch {name} ({code})", name=BRANCH_NAME, code="KC-CRB"
    )
    assert not window.training_banner.isVisible()
    fingerprint = format_fingerprint(branch_keys(branch.folder).public.fingerprint)
    assert fingerprint in window.branch_label.text()
    assert "branch-public-key.json" in window.branch_label.text()
    assert window.table.rowCount() == 1
    assert _cell(window, "RP3209A", COL_CODE) == "RP3209A"
    (listed,) = branch_posts(branch.db)
    assert _cell(window, "RP3209A", COL_FINGERPRINT) == short_fingerprint(listed.fingerprint)
    assert format_fingerprint(listed.fingerprint) in window.row_tip(window.posts[0])
    assert _cell(window, "RP3209A", COL_LAST) == "—"
    assert _cell(window, "RP3209A", COL_PARTICIPANTS) == "0"
    assert _cell(window, "RP3209A", COL_STATE) == tr("active")
    assert window.focusWidget() is window.import_button


def test_a_training_branch_says_so(qtbot: QtBot, tmp_path: Path, clock: FakeClock) -> None:
    root = tmp_path / "training"
    root.mkdir()
    training = make_branch(root, DataFolder(root).sqlite_url, clock, demo=True)
    try:
        window = _window(qtbot, training)
        title = tr("Rumah Perisai — branch {name} ({code})", name=BRANCH_NAME, code="KC-CRB")
        assert window.windowTitle() == tr("{title} — TRAINING", title=title)
        assert window.training_banner.isVisible()
        window.close()
    finally:
        training.close()


# --- importing --------------------------------------------------------------------------------


def test_enter_imports_the_batch_from_the_stick(
    qtbot: QtBot, branch: App, post_a: PostSide, choose: Chooser
) -> None:
    post_a.register(name="Siti Rahayu")
    post_a.register()
    batch = post_a.export().path
    window = _window(qtbot, branch)
    window.table.setFocus()
    choose.file_lists.append([batch])
    qtbot.keyClick(window.table, Qt.Key.Key_Return)  # Enter: Import batches…, the default

    assert choose.asked == [tr("Choose the batch files to import")]
    assert _cell(window, "RP3209A", COL_LAST) == "1"
    assert _cell(window, "RP3209A", COL_PARTICIPANTS) == "2"
    assert _cell(window, "RP3209A", COL_HELD) == ""
    (item,) = _top(window)
    assert [item.text(c) for c in (RES_FILE, RES_POST, RES_SEQ, RES_STATE)] == [
        batch.name, "RP3209A", "1", tr("imported"),
    ]  # fmt: skip
    ack = batch.with_name(ack_file_name(batch.name))
    assert ack.exists()  # beside the batch, on the stick
    assert _children(item) == [tr("Acknowledgement: {path}", path=str(ack))]
    report = window.report
    assert report is not None and report.results[0].state == "imported"
    assert report.results[0].message() in item.text(4)
    assert tr("Imported past a gap: recorded with the reason given.") not in window.summary.text()
    assert window.message_box is None  # nothing went wrong

    # The next import opens where the stick was; the same file again changes nothing.
    choose.file_lists.append([batch])
    _click(qtbot, window.import_button)
    assert choose.opened_in == [str(documents_folder()), str(batch.parent)]  # Documents at first
    (again,) = _top(window)
    assert again.text(RES_STATE) == tr("already imported")
    assert _cell(window, "RP3209A", COL_PARTICIPANTS) == "2"


def test_a_batch_after_a_missing_one_is_held_until_it_comes(
    qtbot: QtBot, branch: App, post_a: PostSide, choose: Chooser
) -> None:
    paths = []
    for _ in range(3):
        post_a.register()
        paths.append(post_a.export().path)
    window = _window(qtbot, branch)
    choose.file_lists.append([paths[0]])
    _click(qtbot, window.import_button)
    choose.file_lists.append([paths[2]])  # batch 2 stayed at the post
    _click(qtbot, window.import_button)

    (held,) = _top(window)
    assert held.text(RES_STATE) == tr("HELD") and held.text(RES_SEQ) == "3"
    assert held.background(RES_STATE).color() == HELD
    (waiting,) = _children(held)
    assert waiting == tr(
        "Waiting for batch {missing} of post {post}: once it is imported, this one follows by "
        "itself.",
        missing=2,
        post="RP3209A",
    )
    report = window.report
    assert report is not None
    assert report.results[0].message() in window.summary.text()
    assert "batch 2 belum diimpor" in window.summary.text()
    assert "fff3cd" in window.summary.styleSheet()  # it stands out
    assert _cell(window, "RP3209A", COL_LAST) == "1"
    assert _cell(window, "RP3209A", COL_HELD) == tr(
        "{held} (waiting for {missing})", held="3", missing=2
    )
    assert _background(window, "RP3209A", COL_HELD) == HELD

    choose.file_lists.append([paths[1]])  # the missing batch comes: the held one follows
    _click(qtbot, window.import_button)
    two, three = _top(window)
    assert (two.text(RES_SEQ), two.text(RES_STATE)) == ("2", tr("imported"))
    assert (three.text(RES_SEQ), three.text(RES_STATE)) == ("3", tr("imported (was held)"))
    assert _cell(window, "RP3209A", COL_LAST) == "3"
    assert _cell(window, "RP3209A", COL_HELD) == ""
    assert _cell(window, "RP3209A", COL_PARTICIPANTS) == "3"


def test_importing_past_a_gap_needs_a_reason(
    qtbot: QtBot, branch: App, post_a: PostSide, choose: Chooser
) -> None:
    post_a.register()
    post_a.export()  # lost on the way
    post_a.register()
    two = post_a.export().path
    window = _window(qtbot, branch)

    choose.texts.append("   ")
    _click(qtbot, window.gap_button)
    assert window.message_box is not None
    assert window.message_box.text() == UserError("reason_needed").message()
    assert choose.asked == [tr("Import past a gap")]  # no file asked for
    window.message_box.close()

    choose.texts.append(None)  # Cancel: nothing happens
    _click(qtbot, window.gap_button)
    assert len(choose.asked) == 2

    choose.texts.append("flashdisk batch 1 hilang")
    choose.file_lists.append([two])
    _click(qtbot, window.gap_button)
    (item,) = _top(window)
    assert (item.text(RES_SEQ), item.text(RES_STATE)) == ("2", tr("imported"))
    assert tr("Imported past a gap: recorded with the reason given.") in window.summary.text()
    assert _cell(window, "RP3209A", COL_LAST) == "2"


# --- keys and suspending ----------------------------------------------------------------------


def test_adding_a_post_key_shows_its_fingerprint_to_compare_by_phone(
    qtbot: QtBot, tmp_path: Path, branch: App, clock: FakeClock, choose: Chooser
) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "branch").mkdir(parents=True)
    other = make_branch(elsewhere / "branch", DataFolder(elsewhere / "branch").sqlite_url, clock)
    newcomer = make_post(elsewhere, other, clock, "RP3209C")
    try:
        key_file = tmp_path / "from-post" / "RP3209C-post-public-key.json"
        key_file.parent.mkdir()
        key_file.write_bytes(post_key_file_bytes(newcomer.app.db, newcomer.app.folder.keys))
    finally:
        newcomer.app.close()
        other.close()
    window = _window(qtbot, branch)
    assert window.table.rowCount() == 0

    choose.files.append(key_file)
    _click(qtbot, window.add_button)
    (listed,) = branch_posts(branch.db)
    fp = format_fingerprint(listed.fingerprint)
    assert listed.code == "RP3209C"
    assert _cell(window, "RP3209C", COL_FINGERPRINT) == short_fingerprint(listed.fingerprint)
    assert window.selected_post() == listed
    box = window.message_box
    assert box is not None and fp in box.text()
    compare = tr("Compare the fingerprint with the post by phone before importing its batches.")
    assert compare in box.text() and compare in window.summary.text()
    box.close()

    choose.files.append(key_file)  # the same file again: nothing changes, said so
    _click(qtbot, window.add_button)
    assert window.message_box is not None
    assert tr(
        "Post {code} ({name}) was registered already with this key: {fp}",
        code="RP3209C", name="Rumah Perisai RP3209C", fp=fp,
    ) in window.message_box.text()  # fmt: skip
    assert choose.opened_in[1] == str(key_file.parent)
    window.message_box.close()

    damaged = tmp_path / "from-post" / "not-a-key.json"
    damaged.write_text("{}")
    choose.files.append(damaged)
    _click(qtbot, window.add_button)
    assert window.message_box is not None and window.message_box.text() != ""
    assert "b71c1c" in window.summary.styleSheet()
    assert window.table.rowCount() == 1


def test_a_suspended_posts_batch_is_refused_and_those_before_it_stay_imported(
    qtbot: QtBot, branch: App, post_a: PostSide, post_b: PostSide, choose: Chooser
) -> None:
    post_a.register()
    post_b.register()
    a1, b1 = post_a.export().path, post_b.export().path
    window = _window(qtbot, branch)
    window.select_post("RP3209B")
    assert window.suspend_button.text() == tr("&Suspend post…")

    choose.texts.append("")  # no reason: refused, nothing changes
    _click(qtbot, window.suspend_button)
    assert window.message_box is not None
    assert window.message_box.text() == UserError("reason_needed").message()
    assert branch_posts(branch.db)[1].suspended_reason is None
    window.message_box.close()

    choose.texts.append("laptop pos dicuri")
    _click(qtbot, window.suspend_button)
    assert _cell(window, "RP3209B", COL_STATE) == tr(
        "suspended: {reason}", reason="laptop pos dicuri"
    )
    assert _background(window, "RP3209B", COL_CODE) == SUSPENDED
    assert _background(window, "RP3209A", COL_CODE) != SUSPENDED
    assert window.selected_post() == branch_posts(branch.db)[1]
    assert window.suspend_button.text() == tr("&Resume post")

    choose.file_lists.append([b1, a1])  # in any order: post by post, in sequence
    _click(qtbot, window.import_button)
    refusal = UserError("post_suspended", code="RP3209B", reason="laptop pos dicuri").message()
    assert window.message_box is not None and window.message_box.text() == refusal
    window.message_box.close()
    assert _cell(window, "RP3209A", COL_LAST) == "1"  # imported before the refusal
    assert _cell(window, "RP3209B", COL_LAST) == "—"
    assert tr("Refused: {reason}", reason=refusal) in window.summary.text()
    assert tr("What was imported before it stays imported:") in window.summary.text()
    assert "b71c1c" in window.summary.styleSheet()
    refused, kept = _top(window)
    assert (refused.text(RES_FILE), refused.text(RES_STATE)) == (b1.name, tr("refused"))
    assert "RP3209A" in kept.text(0)

    window.select_post("RP3209B")
    _click(qtbot, window.suspend_button)  # Resume post
    assert _cell(window, "RP3209B", COL_STATE) == tr("active")
    assert window.suspend_button.text() == tr("&Suspend post…")
    choose.file_lists.append([b1])
    _click(qtbot, window.import_button)
    (item,) = _top(window)
    assert item.text(RES_STATE) == tr("imported")
    # Both posts registered the same NIK; post A's batch came first, so B's is rejected.
    (rejection,) = _children(item)[1:]
    assert rejection.startswith(
        tr("Registration {key} rejected: {reason}", key="RP3209B-000001", reason="")
    )
    assert "RP3209A" in rejection
    assert _cell(window, "RP3209B", COL_LAST) == "1"


def test_switching_to_english_redraws_the_last_import(
    qtbot: QtBot, branch: App, post_a: PostSide, choose: Chooser
) -> None:
    post_a.register()
    batch = post_a.export().path
    window = _window(qtbot, branch)
    choose.file_lists.append([batch])
    _click(qtbot, window.import_button)
    window.language_actions["en"].trigger()
    assert window.import_button.text() == "&Import batches…"
    (item,) = _top(window)
    assert item.text(RES_STATE) == "imported"
    assert "Batch 1 of post RP3209A imported" in item.text(4)
    assert branch.settings.language == "en"


# --- issue 14: a batch passed over stays open; a NIK conflict waits for an officer ---------------


def test_a_batch_passed_over_shows_as_missing_until_it_comes(
    qtbot: QtBot, branch: App, post_a: PostSide, choose: Chooser
) -> None:
    paths = []
    for _ in range(3):
        post_a.register()
        paths.append(post_a.export().path)
    window = _window(qtbot, branch)
    choose.file_lists.append([paths[0]])
    _click(qtbot, window.import_button)
    choose.texts.append("flashdisk batch 2 hilang")
    choose.file_lists.append([paths[2]])
    _click(qtbot, window.gap_button)
    assert _cell(window, "RP3209A", COL_MISSING) == "2"
    assert _background(window, "RP3209A", COL_MISSING) == HELD

    choose.file_lists.append([paths[1]])  # the post wrote it again: it comes after all
    _click(qtbot, window.import_button)
    (late,) = _top(window)
    assert (late.text(RES_SEQ), late.text(RES_STATE)) == ("2", tr("imported"))
    assert _cell(window, "RP3209A", COL_MISSING) == ""
    assert _cell(window, "RP3209A", COL_PARTICIPANTS) == "3"


def test_an_officer_decides_a_nik_conflict_from_the_window(
    qtbot: QtBot,
    branch: App,
    post_a: PostSide,
    post_b: PostSide,
    choose: Chooser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:

    from rumah_perisai.app import open_app
    from rumah_perisai.branch import import_batch, pending_conflicts
    from rumah_perisai.ui.branch import ConflictsDialog
    from tests.branch.branch_world import CLI

    post_a.register(nik="3209144101910001")
    import_batch(branch.db, branch.folder, post_a.export().path, CLI)
    post_b.register(nik="3209144101910002")
    import_batch(branch.db, branch.folder, post_b.export().path, CLI)
    post_a.app.close()  # post A puts its member onto B's member's NIK behind the program's back
    with open_raw(post_a.app.folder) as raw:
        raw.execute(
            "UPDATE participants SET nik = '3209144101910002', change_no = (SELECT value + 1 "
            "FROM counters WHERE scope = '' AND name = 'change')"
        )
    post_a.app = open_app(post_a.app.folder, post_a.app.folder.sqlite_url, clock=branch.db.clock)
    post_a.register()
    import_batch(branch.db, branch.folder, post_a.export().path, CLI)

    window = _window(qtbot, branch)
    assert "(1)" in window.conflicts_button.text()
    shown: list[ConflictsDialog] = []

    def run(dialog: ConflictsDialog) -> int:
        shown.append(dialog)
        regnos = [dialog.table.item(r, 2).text() for r in range(dialog.table.rowCount())]
        assert regnos == ["RP3209A-000001", "RP3209B-000001"]
        dialog.table.selectRow(1)  # B's registration stands
        choose.texts.append("KTP asli dilihat di pos B")
        qtbot.mouseClick(dialog.keep_button, Qt.MouseButton.LeftButton)
        assert dialog.table.rowCount() == 0
        return 0

    monkeypatch.setattr(ConflictsDialog, "exec", run)
    _click(qtbot, window.conflicts_button)
    assert shown and pending_conflicts(branch.db) == []
    assert "(1)" not in window.conflicts_button.text()
    assert tr("Keep {regno}", regno="RP3209B-000001") in choose.asked


# --- issue 18: operations and change notices -----------------------------------------------------


def _conflict(branch: App, post_a: PostSide, post_b: PostSide) -> None:
    """Two posts' accepted members with one NIK, waiting for an officer (as above)."""
    from rumah_perisai.app import open_app
    from rumah_perisai.branch import import_batch
    from tests.branch.branch_world import CLI

    post_a.register(nik="3209144101910001")
    import_batch(branch.db, branch.folder, post_a.export().path, CLI)
    post_b.register(nik="3209144101910002")
    import_batch(branch.db, branch.folder, post_b.export().path, CLI)
    post_a.app.close()
    with open_raw(post_a.app.folder) as raw:
        raw.execute(
            "UPDATE participants SET nik = '3209144101910002', change_no = (SELECT value + 1 "
            "FROM counters WHERE scope = '' AND name = 'change')"
        )
    post_a.app = open_app(post_a.app.folder, post_a.app.folder.sqlite_url, clock=branch.db.clock)
    post_a.register()
    import_batch(branch.db, branch.folder, post_a.export().path, CLI)


def test_the_posts_list_shows_any_committed_import_by_the_change_notice(
    qtbot: QtBot, branch: App, post_a: PostSide
) -> None:
    import threading

    from rumah_perisai.branch import import_batch
    from tests.branch.branch_world import CLI

    post_a.register()
    one = post_a.export().path
    post_a.register()
    two = post_a.export().path
    window = _window(qtbot, branch)
    assert _cell(window, "RP3209A", COL_LAST) == "—"

    import_batch(branch.db, branch.folder, one, CLI)  # not through the window: heard all the same
    assert _cell(window, "RP3209A", COL_LAST) == "1"
    assert _cell(window, "RP3209A", COL_PARTICIPANTS) == "1"

    worker = threading.Thread(target=import_batch, args=(branch.db, branch.folder, two, CLI))
    worker.start()  # committed on another thread: the notice is queued to the window's
    worker.join(30)
    qtbot.waitUntil(lambda: _cell(window, "RP3209A", COL_LAST) == "2", timeout=5000)
    assert _cell(window, "RP3209A", COL_PARTICIPANTS) == "2"


def test_ctrl_i_imports_and_the_list_follows_the_notice_not_a_call_by_hand(
    qtbot: QtBot, branch: App, post_a: PostSide, choose: Chooser, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    post_a.register()
    batch = post_a.export().path
    window = _window(qtbot, branch)
    drawn_by: list[str] = []  # who had the posts' list drawn again during the import
    show_posts = BranchWindow.show_posts

    def spy(self: BranchWindow, posts: Any) -> None:
        drawn_by.append(sys._getframe(1).f_code.co_name)
        show_posts(self, posts)

    monkeypatch.setattr(BranchWindow, "show_posts", spy)
    choose.file_lists.append([batch])
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert _cell(window, "RP3209A", COL_LAST) == "1"
    assert _cell(window, "RP3209A", COL_PARTICIPANTS) == "1"
    assert drawn_by and set(drawn_by) == {"reload_posts"}  # the listener's, never the slot's
    (item,) = _top(window)
    assert item.text(RES_STATE) == tr("imported")  # the report is the operation's own
    assert window.selected_post() == branch_posts(branch.db)[0]


def test_deciding_a_conflict_updates_the_windows_count_while_the_dialog_is_open(
    qtbot: QtBot,
    branch: App,
    post_a: PostSide,
    post_b: PostSide,
    choose: Chooser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rumah_perisai.ui.branch import ConflictsDialog

    _conflict(branch, post_a, post_b)
    window = _window(qtbot, branch)
    assert "(1)" in window.conflicts_button.text()
    seen: list[tuple[str, int]] = []

    def run(dialog: ConflictsDialog) -> int:
        dialog.show()  # as exec() shows it, without blocking the test
        qtbot.waitExposed(dialog)
        dialog.table.setFocus()
        qtbot.keyClick(dialog.table, Qt.Key.Key_Down)  # B's registration stands
        choose.texts.append("KTP asli dilihat di pos B")
        _click(qtbot, dialog.keep_button)
        # Before the dialog ends: the window heard the decision, nobody called it.
        seen.append((window.conflicts_button.text(), dialog.table.rowCount()))
        dialog.close()
        return 0

    monkeypatch.setattr(ConflictsDialog, "exec", run)
    monkeypatch.setattr(window, "refresh", lambda: pytest.fail("refreshed by hand"))
    _click(qtbot, window.conflicts_button)
    ((count, rows),) = seen
    assert "(1)" not in count and rows == 0
    assert tr("Keep {regno}", regno="RP3209B-000001") in choose.asked


def test_a_refused_file_is_said_in_one_line_and_changes_nothing(
    qtbot: QtBot, tmp_path: Path, branch: App, post_a: PostSide, choose: Chooser
) -> None:
    from rumah_perisai import changes

    post_a.register()
    batch = post_a.export().path
    damaged = batch.with_name("rusak" + batch.suffix)
    damaged.write_bytes(batch.read_bytes()[:200])
    not_a_key = tmp_path / "bukan-kunci.json"
    not_a_key.write_text('{"kind": "something else"}')
    window = _window(qtbot, branch)
    heard: list[frozenset[str]] = []
    stop = changes.subscribe(heard.append)
    try:
        choose.file_lists.append([damaged])
        qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
        box = window.message_box
        assert box is not None and box.text() and "\n" not in box.text()
        assert tr("Refused: {reason}", reason=box.text()) in window.summary.text()
        (refused,) = _top(window)
        assert refused.text(RES_STATE) == tr("refused")
        assert damaged.name in box.text()
        box.close()

        choose.files.append(not_a_key)
        _click(qtbot, window.add_button)
        box = window.message_box
        assert box is not None and box.text() and "\n" not in box.text()
        assert window.summary.text() == box.text()
        box.close()
    finally:
        stop()
    assert heard == []  # nothing was changed, so nothing was announced
    assert _cell(window, "RP3209A", COL_LAST) == "—" and window.table.rowCount() == 1
    assert branch_posts(branch.db)[0].last_seq == 0
