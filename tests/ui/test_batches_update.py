"""A new version beside the branch's acknowledgement on the stick (issue 15): after the
coordinator takes the acknowledgement in on the batches page, a signed newer installer lying
beside it is offered and, on request, checked again, copied into the data folder and started
silently while the program closes; an altered one is said in one line and nothing starts. A
real branch with its own keys and database, the stick a folder; only the installer's start and
the program's exit are recorded instead of done."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from rumah_perisai import __version__
from rumah_perisai.app import App
from rumah_perisai.branch import add_post, import_batch
from rumah_perisai.config import DataFolder
from rumah_perisai.keys.files import load_branch_keys
from rumah_perisai.keys.installed import install_branch_key, post_key_file_bytes
from rumah_perisai.services.batches import batches
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.updates import UPDATES_FOLDER, sign_update, version_key
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.ui.batches_dialog import BatchesDialog
from tests.branch.branch_world import CLI, PostSide, make_branch
from tests.conftest import FakeClock

NEWER = ".".join(str(part + 1) if i == 1 else str(part)
                 for i, part in enumerate(version_key(__version__)))  # fmt: skip


@pytest.fixture
def branch(tmp_path: Path, clock: FakeClock) -> Iterator[App]:
    root = tmp_path / "branch"
    root.mkdir()
    office = make_branch(root, DataFolder(root).sqlite_url, clock)
    yield office
    office.close()


@pytest.fixture
def here(app: App, post: PostSummary, coordinator: Actor, branch: App, tmp_path: Path) -> PostSide:
    install_branch_key(app.db, (branch.folder.keys / "branch-public-key.json").read_bytes(), CLI)
    add_post(branch.db, branch.folder, post_key_file_bytes(app.db, app.folder.keys), CLI)
    stick = tmp_path / "stick"
    stick.mkdir()
    return PostSide(app, post.code, coordinator, stick)


def _ack_with_installer(branch: App, here: PostSide, *, altered: bool = False) -> Path:
    """The branch imports the post's batch and puts a signed installer beside the
    acknowledgement on the stick; returns the installer."""
    here.register()
    written = here.export()
    result = import_batch(branch.db, branch.folder, written.path, CLI)
    assert result.ack_path is not None
    installer = here.stick / f"RumahPerisai-{NEWER}-setup.exe"
    installer.write_bytes(b"MZ stand-in installer " * 100)
    keys = load_branch_keys(branch.folder.keys)
    sign_update(installer, keys.public, keys.signing)
    if altered:
        installer.write_bytes(installer.read_bytes().replace(b"stand-in", b"tampered"))
    return installer


def _page(qtbot: QtBot, app: App, actor: Actor) -> tuple[BatchesDialog, list[list[str]], list[int]]:
    dialog = BatchesDialog(app.db, app.folder, actor)
    qtbot.addWidget(dialog)
    dialog.show()
    started: list[list[str]] = []
    quits: list[int] = []

    def launch(command: Sequence[str]) -> None:
        started.append(list(command))

    dialog.launch_update = launch
    dialog.quit_for_update = lambda: quits.append(1)
    return dialog, started, quits


def test_a_signed_newer_installer_beside_the_ack_is_offered_and_installed_on_request(
    qtbot: QtBot, app: App, coordinator: Actor, branch: App, here: PostSide
) -> None:
    installer = _ack_with_installer(branch, here)
    dialog, started, quits = _page(qtbot, app, coordinator)
    assert dialog.ack_offer.isVisible() and not dialog.update_offer.isVisible()
    qtbot.mouseClick(dialog.take_found_button, Qt.MouseButton.LeftButton)

    assert batches(app.db)[0].state == "acknowledged"
    assert dialog.update_offer.isVisible()
    assert NEWER in dialog.update_label.text() and "KC" in dialog.update_label.text()
    assert dialog.update_button.isVisible() and dialog.update_button.isEnabled()
    assert started == [] and quits == []  # offered, not done behind the user's back

    qtbot.mouseClick(dialog.update_button, Qt.MouseButton.LeftButton)
    copy = app.folder.root / UPDATES_FOLDER / installer.name
    assert copy.read_bytes() == installer.read_bytes()
    assert started == [[str(copy), "/S", "/RUN"]]
    assert quits == [1]  # the program closes so the installer can replace it


def test_an_altered_installer_beside_the_ack_is_refused_in_one_line_and_nothing_starts(
    qtbot: QtBot, app: App, coordinator: Actor, branch: App, here: PostSide
) -> None:
    installer = _ack_with_installer(branch, here, altered=True)
    dialog, started, quits = _page(qtbot, app, coordinator)
    qtbot.mouseClick(dialog.take_found_button, Qt.MouseButton.LeftButton)

    assert batches(app.db)[0].state == "acknowledged"  # the acknowledgement itself is fine
    assert dialog.update_offer.isVisible() and not dialog.update_button.isVisible()
    said = dialog.update_label.text()
    assert installer.name in said and len(said.splitlines()) == 1
    assert started == [] and quits == []
    assert not (app.folder.root / UPDATES_FOLDER).exists()


def test_a_volunteer_sees_the_new_version_but_cannot_install_it(
    qtbot: QtBot, app: App, volunteer: Actor, branch: App, here: PostSide
) -> None:
    _ack_with_installer(branch, here)
    dialog, started, _quits = _page(qtbot, app, volunteer)
    dialog.take_found_ack()
    assert dialog.update_offer.isVisible()
    assert not dialog.update_button.isEnabled()
    dialog.install_found_update()
    assert started == []
