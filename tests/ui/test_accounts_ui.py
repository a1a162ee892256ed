"""The first coordinator of a post set up without one, and a coordinator adding a volunteer."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from rumah_perisai.app import App
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.volunteers import Actor, accounts, has_coordinator, log_in
from rumah_perisai.ui.accounts_dialog import AccountsDialog, NewAccountDialog
from rumah_perisai.ui.login import FirstCoordinatorDialog


def test_a_post_without_a_coordinator_makes_one_who_is_then_working(
    qtbot: QtBot, app: App, post: PostSummary
) -> None:
    dialog = FirstCoordinatorDialog(app.db)
    qtbot.addWidget(dialog)
    assert dialog.role.count() == 1  # only a coordinator can be the first account
    qtbot.keyClicks(dialog.name, "Dewi Lestari")
    qtbot.keyClicks(dialog.pin, "482913")
    qtbot.keyClicks(dialog.pin_again, "482931")
    dialog.make()
    assert dialog.error.text() == "Kedua PIN tidak sama; tidak ada yang dibuat."
    assert not has_coordinator(app.db)
    dialog.pin_again.clear()
    qtbot.keyClicks(dialog.pin_again, "482913")
    dialog.make()
    assert dialog.actor is not None and dialog.actor.is_coordinator
    assert dialog.actor.name == "Dewi Lestari"


def test_a_coordinator_adds_a_volunteer_who_can_log_in(
    qtbot: QtBot, app: App, coordinator: Actor
) -> None:
    listing = AccountsDialog(app.db, coordinator)
    qtbot.addWidget(listing)
    dialog = NewAccountDialog(app.db, coordinator, listing)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.name, "Euis Komalasari")
    dialog.role.setCurrentIndex(dialog.role.findData("volunteer"))
    qtbot.keyClicks(dialog.pin, "318640")
    qtbot.keyClicks(dialog.pin_again, "318640")
    dialog.make()
    listing.refresh()
    assert [a.name for a in accounts(app.db)] == ["Dewi Lestari", "Euis Komalasari"]
    assert listing.table.rowCount() == 2
    assert log_in(app.db, "euis komalasari", "318640").role == "volunteer"


def test_the_list_shows_an_account_made_elsewhere_without_being_told(
    qtbot: QtBot, app: App, coordinator: Actor
) -> None:
    """The list listens to 'accounts' (issue 18): an account made at another window (or a
    login's guard) reaches it by the change notice, no hand-wired refresh."""
    from rumah_perisai.services.volunteers import AccountSetup, create_account

    listing = AccountsDialog(app.db, coordinator)
    qtbot.addWidget(listing)
    listing.show()
    assert listing.table.rowCount() == 1
    create_account(app.db, AccountSetup("Euis Komalasari", "318640"), "volunteer", coordinator)
    assert listing.table.rowCount() == 2
    names = {listing.table.item(row, 0).text() for row in range(2)}
    assert names == {"Dewi Lestari", "Euis Komalasari"}
