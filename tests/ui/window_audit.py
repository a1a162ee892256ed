"""What a volunteer at a 1366×768 laptop at 125 % would stumble over in a window, found by reading
its widgets: shared mnemonics, fields without a label, English words, text cut off.

At 125 % Qt scales fonts and widgets alike, so "fits at 125 % on 1366×768" is "fits in 1093×592
logical pixels" (768 / 1.25 = 614, less the taskbar): a window is audited at most that large.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import QFont, QFontMetrics, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QStyle,
    QTabBar,
    QTableView,
    QTabWidget,
    QTextEdit,
    QTreeView,
    QWidget,
)

SCREEN_WIDTH, SCREEN_HEIGHT = 1093, 592
ROWS_CHECKED = 25  # cells of a list: the first rows show whether its columns are wide enough

PO = Path(__file__).resolve().parents[2] / "resources/locale/id/LC_MESSAGES/rumah_perisai.po"

# Words an Indonesian screen may show although they come from English: names of things, units
# and abbreviations every volunteer reads on their forms and cards.
ALLOWED = frozenset(
    [
        "rumah",
        "perisai",
        "bpjs",
        "ketenagakerjaan",
        "nik",
        "kpj",
        "qr",
        "pdf",
        "jkk",
        "jkm",
        "jht",
        "bpu",
        "usb",
        "pin",
        "id",
        "ok",
        "rp",
        "wib",
        "wita",
        "wit",
        "a4",
        "a5",
        "mm",
        "demo",
        "kb",
        "mb",
        "gb",
        "whatsapp",
        "csv",
        "xlsx",
        "excel",
        "wa",
        "sms",
        "no",
        "jl",
        "rt",
        "rw",
        "email",
        "e-mail",
    ]
)

_MNEMONIC = re.compile(r"(?<!&)&([^&\s])")
_WORD = re.compile(r"\b[A-Za-z][A-Za-z']+\b")


def mnemonic(text: str) -> str | None:
    """The Alt+letter of a control's text (``&&`` is a literal ampersand)."""
    found = _MNEMONIC.search(text.replace("&&", ""))
    return found.group(1).lower() if found else None


def shown(text: str) -> str:
    """A control's text as the user reads it."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


# --- which widgets the user sees ------------------------------------------------------------------


def visible(window: QWidget, kind: type[QWidget] | tuple[type[QWidget], ...]) -> list[QWidget]:
    return [
        w for w in window.findChildren(QWidget) if isinstance(w, kind) and w.isVisibleTo(window)
    ]


def tab_states(window: QWidget) -> Iterator[str]:
    """Each page of each tab widget in turn (the controls of hidden pages take no shortcut)."""
    yield ""
    for tabs in visible(window, QTabWidget):
        assert isinstance(tabs, QTabWidget)
        current = tabs.currentIndex()
        for index in range(tabs.count()):
            if tabs.isTabEnabled(index):
                tabs.setCurrentIndex(index)
                QApplication.processEvents()
                yield shown(tabs.tabText(index))
        tabs.setCurrentIndex(current)
        QApplication.processEvents()


# --- (a) mnemonics ----------------------------------------------------------------------------


def _controls_with_mnemonics(window: QWidget) -> Iterator[tuple[str, str]]:
    """(letter, what) for each visible control that answers an Alt+letter in this window."""
    if isinstance(window, QMainWindow):
        for action in window.menuBar().actions():
            if action.isVisible() and (letter := mnemonic(action.text())):
                yield letter, f"menu {shown(action.text())!r}"
    for widget in visible(window, (QAbstractButton, QLabel, QGroupBox)):
        if isinstance(widget, QLabel) and widget.buddy() is None:
            continue
        text = widget.title() if isinstance(widget, QGroupBox) else widget.text()  # type: ignore[attr-defined]
        if isinstance(widget, QGroupBox) and not widget.isCheckable():
            continue
        if letter := mnemonic(text):
            yield letter, f"{type(widget).__name__} {shown(text)!r}"
    for bar in visible(window, QTabBar):
        assert isinstance(bar, QTabBar)
        for index in range(bar.count()):
            if letter := mnemonic(bar.tabText(index)):
                yield letter, f"tab {shown(bar.tabText(index))!r}"


def mnemonic_clashes(window: QWidget) -> list[str]:
    problems: set[str] = set()
    for state in tab_states(window):
        seen: dict[str, str] = {}
        for letter, what in _controls_with_mnemonics(window):
            if letter in seen and seen[letter] != what:
                where = f" (page {state!r})" if state else ""
                problems.add(f"Alt+{letter.upper()}: {seen[letter]} and {what}{where}")
            seen.setdefault(letter, what)
    for menu in window.findChildren(QMenu):
        seen = {}
        for action in menu.actions():
            if action.isVisible() and (letter := mnemonic(action.text())):
                if letter in seen:
                    problems.add(
                        f"Alt+{letter.upper()} in menu {shown(menu.title())!r}: "
                        f"{seen[letter]!r} and {shown(action.text())!r}"
                    )
                seen.setdefault(letter, shown(action.text()))
    return sorted(problems)


def controls_without_mnemonic(window: QWidget) -> list[str]:
    """Buttons, checkboxes and radio buttons a volunteer presses, each reachable by Alt."""
    problems = []
    for state in tab_states(window):
        for widget in visible(window, (QPushButton, QCheckBox, QRadioButton)):
            assert isinstance(widget, QAbstractButton)
            text = widget.text()
            if isinstance(widget.window(), QMessageBox):
                continue  # a message's buttons answer Enter and Esc
            if text.strip() and mnemonic(text) is None and not _is_figure_tile(widget):
                problems.append(f"{type(widget).__name__} {shown(text)!r} has no Alt+letter")
        del state
    return sorted(set(problems))


def _is_figure_tile(widget: QWidget) -> bool:
    """A dashboard's figure (a number over its caption) is reached by Tab, not by a letter."""
    return "\n" in widget.text()  # type: ignore[attr-defined]


# --- (b) label buddies --------------------------------------------------------------------------


def _is_field(widget: QWidget) -> bool:
    if isinstance(widget, QLineEdit):
        parent = widget.parentWidget()
        return not isinstance(parent, (QComboBox, QAbstractSpinBox)) and not widget.isReadOnly()
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        return not widget.isReadOnly()
    return isinstance(widget, (QComboBox, QAbstractSpinBox))


def fields_without_buddy(window: QWidget) -> list[str]:
    problems = set()
    for state in tab_states(window):
        labelled = {}
        for label in visible(window, QLabel):
            assert isinstance(label, QLabel)
            if label.buddy() is not None:
                labelled[id(label.buddy())] = label
        for field in visible(window, (QLineEdit, QPlainTextEdit, QTextEdit, QComboBox)):
            if not _is_field(field):
                continue
            label = labelled.get(id(field))
            name = field.objectName() or type(field).__name__
            where = f" (page {state!r})" if state else ""
            if label is None:
                problems.add(f"field {name} has no label buddy{where}")
            elif mnemonic(label.text()) is None:
                problems.add(f"label {shown(label.text())!r} of {name} has no Alt+letter{where}")
        for field in visible(window, QAbstractSpinBox):
            if id(field) not in labelled:
                problems.add(f"field {field.objectName() or type(field).__name__} has no label")
    return sorted(problems)


# --- (c) English ---------------------------------------------------------------------------------


@cache
def english_words() -> frozenset[str]:
    """Words of the program's English texts that its Indonesian texts never use, and Qt's own."""
    with PO.open("rb") as handle:
        catalogue = read_po(handle)
    english: set[str] = set()
    indonesian: set[str] = set()
    for message in catalogue:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in ids:
            english.update(w.lower() for w in _WORD.findall(_without_fields(text)))
        for text in strings:
            indonesian.update(w.lower() for w in _WORD.findall(_without_fields(text)))
    qt_words = [
        "cancel",
        "save",
        "open",
        "close",
        "yes",
        "no",
        "apply",
        "reset",
        "help",
        "look",
        "file",
        "files",
        "name",
        "type",
        "directory",
        "folder",
        "back",
        "forward",
        "parent",
        "detail",
        "view",
        "list",
        "new",
        "create",
        "discard",
        "abort",
        "retry",
        "ignore",
        "all",
        "none",
        "show",
        "details",
        "select",
        "undo",
        "redo",
        "cut",
        "copy",
        "paste",
        "delete",
    ]
    return frozenset((english | set(qt_words)) - indonesian - ALLOWED)


def _rich(text: str) -> bool:
    return bool(re.search(r"<[a-zA-Z/][^>]*>", text))


def _without_fields(text: str) -> str:
    return re.sub(r"\{[^}]*\}|%\(?\w*\)?[sd]?|<[^>]+>", " ", text)


def _texts(window: QWidget) -> Iterator[tuple[str, str]]:
    """(text, where) of everything written on the window that is not data."""
    yield window.windowTitle(), "title"
    if isinstance(window, QMainWindow):
        for action in window.menuBar().actions():
            if action.isVisible():
                yield action.text(), "menu"
                for item in action.menu().actions() if action.menu() else []:
                    if item.isVisible():
                        yield item.text(), "menu item"
    for widget in visible(window, (QLabel, QAbstractButton, QGroupBox, QLineEdit)):
        if isinstance(widget, QLineEdit):
            yield widget.placeholderText(), "placeholder"
        elif isinstance(widget, QGroupBox):
            yield widget.title(), "group"
        elif (
            isinstance(widget, QLabel)
            and widget.textFormat() != Qt.TextFormat.PlainText
            and (_rich(widget.text()))
        ):
            document = QTextDocument()
            document.setHtml(widget.text())
            yield document.toPlainText(), "label"
        else:
            yield widget.text(), type(widget).__name__  # type: ignore[attr-defined]
    for bar in visible(window, QTabBar):
        assert isinstance(bar, QTabBar)
        for index in range(bar.count()):
            yield bar.tabText(index), "tab"
    for view in visible(window, QAbstractItemView):
        assert isinstance(view, QAbstractItemView)
        model = view.model()
        if model is not None and isinstance(view, (QTableView, QTreeView)):
            for column in range(model.columnCount(QModelIndex())):
                yield str(model.headerData(column, Qt.Orientation.Horizontal) or ""), "header"


_PATH = re.compile(r"\S*[/\\]\S*")  # a file's path is data, whatever its words


def english_texts(window: QWidget) -> list[str]:
    words = english_words()
    problems = set()
    for state in tab_states(window):
        del state
        for text, where in _texts(window):
            plain = _PATH.sub(" ", shown(text))
            found = sorted({w for w in _WORD.findall(plain) if w.lower() in words})
            if found:
                problems.add(f"{where} {shown(text)!r}: English {', '.join(found)}")
    return sorted(problems)


# --- (d) text that does not fit ------------------------------------------------------------------


def _label_width(label: QLabel) -> int:
    if label.textFormat() != Qt.TextFormat.PlainText and _rich(label.text()):
        document = QTextDocument()
        document.setDefaultFont(label.font())
        document.setHtml(label.text())
        document.setDocumentMargin(0)
        return int(document.idealWidth())
    lines = shown(label.text()).splitlines() or [""]
    return max(label.fontMetrics().horizontalAdvance(line) for line in lines)


def cut_texts(window: QWidget) -> list[str]:
    problems = set()
    for state in tab_states(window):
        where = f" (page {state!r})" if state else ""
        for label in visible(window, QLabel):
            assert isinstance(label, QLabel)
            if label.wordWrap() or not label.text() or label.pixmap() and not label.text():
                continue
            room = label.contentsRect().width() - 2 * max(label.margin(), 0)
            if label.indent() > 0:
                room -= label.indent()
            if _label_width(label) > room + 1:
                problems.add(f"label {shown(label.text())[:60]!r} is cut{where}")
        for button in visible(window, (QPushButton, QCheckBox, QRadioButton)):
            assert isinstance(button, QAbstractButton)
            if button.text() and button.width() < button.minimumSizeHint().width() - 1:
                problems.add(f"button {shown(button.text())!r} is cut{where}")
        for bar in visible(window, QTabBar):
            assert isinstance(bar, QTabBar)
            for index in range(bar.count()):
                if bar.tabRect(index).width() + 1 < bar.tabSizeHint(index).width():
                    problems.add(f"tab {shown(bar.tabText(index))!r} is cut{where}")
        for view in visible(window, QAbstractItemView):
            assert isinstance(view, QAbstractItemView)
            problems.update(f"{p}{where}" for p in _cut_cells(view))
    return sorted(problems)


def _cut_cells(view: QAbstractItemView) -> Iterable[str]:
    model: QAbstractItemModel | None = view.model()
    header: QHeaderView | None = getattr(view, "horizontalHeader", lambda: None)()
    if header is None and hasattr(view, "header"):
        header = view.header()  # type: ignore[attr-defined]
    if model is None or header is None or not header.isVisible():
        return
    if not isinstance(view, (QTableView, QTreeView)):
        return
    metrics = header.fontMetrics()
    cell_metrics = view.fontMetrics()
    style = view.style()
    # What Qt's item delegate and header leave around a text before they elide it.
    cell_margin = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1)
    header_margin = 2 * style.pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    vertical: QHeaderView | None = getattr(view, "verticalHeader", lambda: None)()
    wraps = (
        getattr(view, "wordWrap", lambda: False)()
        and vertical is not None
        and vertical.sectionResizeMode(0) == QHeaderView.ResizeMode.ResizeToContents
    )
    for column in range(model.columnCount(QModelIndex())):
        if header.isSectionHidden(column):
            continue
        width = header.sectionSize(column)
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        needed = max((metrics.horizontalAdvance(line) for line in title.splitlines()), default=0)
        if title and needed + header_margin > width:
            yield f"header {title!r} is cut ({needed + header_margin} > {width})"
        for row in range(min(model.rowCount(QModelIndex()), ROWS_CHECKED)):
            index = model.index(row, column)
            text = str(model.data(index) or "")
            font = model.data(index, Qt.ItemDataRole.FontRole)
            metrics = QFontMetrics(font) if isinstance(font, QFont) else cell_metrics
            # A row that grows with its text cuts only a word wider than the column.
            pieces = text.split() if wraps else text.splitlines()[:1]
            needed = max((metrics.horizontalAdvance(p) for p in pieces), default=0)
            if text and needed + cell_margin > width:
                yield f"cell {text[:40]!r} under {title!r} is cut"
                break


# --- all four ------------------------------------------------------------------------------------


def fit_to_screen(window: QWidget) -> list[str]:
    """Shown no larger than the laptop's screen, as a maximised window would be."""
    problems = []
    minimum = window.minimumSizeHint().expandedTo(window.minimumSize())
    if minimum.width() > SCREEN_WIDTH or minimum.height() > SCREEN_HEIGHT:
        problems.append(
            f"needs at least {minimum.width()}×{minimum.height()}, the screen has "
            f"{SCREEN_WIDTH}×{SCREEN_HEIGHT}"
        )
    size = window.size().boundedTo(window.size().__class__(SCREEN_WIDTH, SCREEN_HEIGHT))
    window.resize(size)
    QApplication.processEvents()
    return problems


def audit(window: QWidget) -> list[str]:
    """Everything wrong with ``window`` (shown), one line each."""
    problems = fit_to_screen(window)
    problems += mnemonic_clashes(window)
    problems += controls_without_mnemonic(window)
    problems += fields_without_buddy(window)
    problems += english_texts(window)
    problems += cut_texts(window)
    return problems
