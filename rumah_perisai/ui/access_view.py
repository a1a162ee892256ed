"""Who looked (issue 19, item 2), as a coordinator sees it in the window: the "Riwayat akses"
tab of a participant's view, and one account's looks from the accounts window. Both read
``services.access.access_history``, which refuses anyone but a coordinator; reading them is
not recorded as a look (it shows registration numbers only)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai import formats
from rumah_perisai.db.uow import Database
from rumah_perisai.i18n import N_, tr
from rumah_perisai.services.access import AccessRow, Doc, Look, access_history
from rumah_perisai.services.volunteers import Account, Actor
from rumah_perisai.ui.operations import run_op

COLUMNS = (N_("When"), N_("Who"), N_("What"), N_("Participants"))
ACTIONS = {
    Look.VIEW: N_("opened the participant's view"),
    Look.CARD: N_("printed a card"),
    Look.RECEIPT: N_("printed a receipt"),
    Look.LIST: N_("exported a list"),
    Look.REPORT: N_("printed the person's report"),
}


# Which list or document, where the action alone does not say it.
DOCUMENTS = {
    Doc.CALL_LIST_XLSX: N_("the call list, as a spreadsheet"),
    Doc.CALL_LIST_PDF: N_("the call list, on paper"),
    Doc.CASH_SUMMARY: N_("the daily cash summary"),
    Doc.SEARCH: N_("search results on the command line"),
}
SAID_BY_THE_ACTION = {Doc.WINDOW, Doc.CARD_PDF, Doc.RECEIPT_PDF}


def action_text(row: AccessRow) -> str:
    known = ACTIONS.get(Look(row.action)) if row.action in set(Look) else None
    text = tr(known) if known else row.action
    if row.what is None or row.what in SAID_BY_THE_ACTION:
        return text
    document = DOCUMENTS.get(Doc(row.what)) if row.what in set(Doc) else None
    return f"{text}: {tr(document) if document else row.what}"


def who_text(row: AccessRow) -> str:
    """The volunteer's name, or the command line's login (``cli:…``)."""
    return row.volunteer or row.actor


def numbers_text(row: AccessRow) -> str:
    shown = ", ".join(row.registration_nos)
    if row.subjects > len(row.registration_nos):
        more = tr("{count} participants", count=formats.number(row.subjects))
        return f"{shown} … ({more})" if shown else more
    return shown


def access_table(object_name: str) -> QTableWidget:
    table = QTableWidget(0, len(COLUMNS))
    table.setObjectName(object_name)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def fill_access_table(table: QTableWidget, rows: Sequence[AccessRow], zone: str) -> None:
    table.setHorizontalHeaderLabels([tr(title) for title in COLUMNS])
    table.setRowCount(len(rows))
    for index, row in enumerate(rows):
        texts = (formats.moment(row.at, zone), who_text(row), action_text(row), numbers_text(row))
        for column, text in enumerate(texts):
            table.setItem(index, column, QTableWidgetItem(text))


class VolunteerAccessDialog(QDialog):
    """What one account looked at, newest first (reached from the accounts window)."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        account: Account,
        zone: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("volunteerAccess")
        self.setProperty("help_topic", "accounts")
        # The account's key, not a person's name, where the taskbar shows it.
        self.setWindowTitle(tr("Access history {key}", key=account.key))
        self.resize(820, 420)
        self.heading = QLabel(
            tr("What {name} opened, printed or exported, newest first.", name=account.name)
        )
        self.heading.setWordWrap(True)
        self.table = access_table("volunteerLooks")
        self.message = QLabel()
        self.message.setObjectName("message")
        close = QPushButton(tr("&Close"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        run_op(
            self,
            lambda: access_history(db, actor, volunteer_id=account.id),
            success=lambda rows: self._show(rows, zone),
            failure=lambda error: self.message.setText(error.message()),
            boxed=False,
        )

    def _show(self, rows: list[AccessRow], zone: str) -> None:
        fill_access_table(self.table, rows, zone)
        self.message.setText(tr("Looks: {count}", count=formats.number(len(rows))))
