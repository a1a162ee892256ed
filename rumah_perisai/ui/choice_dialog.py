"""One question with a few answers: each answer a radio button with its own Alt letter, the
action on the default button (never a bare "OK"), *Kembali* beside it (issue 17). The reprint
reason of a card and the paper of the receipts are asked this way."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from rumah_perisai.i18n import tr


class ChoiceDialog(QDialog):
    """``answers``: (code, text with its ``&`` letter) in the order shown; ``chosen`` is the
    code of the checked answer (``current`` at first, else the first)."""

    def __init__(
        self,
        *,
        title: str,
        question: str,
        answers: Sequence[tuple[str, str]],
        current: str,
        action: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._codes = [code for code, _text in answers]
        text = QLabel(question)
        text.setObjectName("explanation")
        text.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        self.group = QButtonGroup(self)
        self.choices: dict[str, QRadioButton] = {}
        for index, (code, answer) in enumerate(answers):
            button = QRadioButton(answer)
            button.setObjectName(f"choice:{code}")
            self.group.addButton(button, index)
            self.choices[code] = button
            layout.addWidget(button)
        first = self.choices.get(current, self.choices[self._codes[0]])
        first.setChecked(True)
        self.action_button = QPushButton(action)
        self.action_button.setObjectName("action")
        self.action_button.clicked.connect(self.accept)
        self.back_button = QPushButton(tr("&Back"))
        self.back_button.setObjectName("back")
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.back_button)
        row.addStretch(1)
        row.addWidget(self.action_button)
        layout.addStretch(1)
        layout.addLayout(row)
        self.action_button.setDefault(True)
        first.setFocus()
        self.resize(520, self.sizeHint().height())

    @property
    def chosen(self) -> str:
        index = self.group.checkedId()
        return self._codes[index] if 0 <= index < len(self._codes) else self._codes[0]
