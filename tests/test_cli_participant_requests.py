"""``participant request|withdraw|erase|requests`` (issue 19): a coordinator records a person's
request; stdout holds the key (or the confirmation's path) alone, a refusal is one line."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rumah_perisai.app import App
from rumah_perisai.cli import main
from rumah_perisai.services.posts import PostSummary
from rumah_perisai.services.volunteers import (
    ROLE_COORDINATOR,
    ROLE_VOLUNTEER,
    AccountSetup,
    create_account,
)


def pdf_text(pdf: bytes) -> str:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtPdf import QPdfDocument

    data = QByteArray(pdf)  # kept alive while the document reads it
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    pages = (document.getAllText(page).text() for page in range(document.pageCount()))
    return " ".join(" ".join(text.split()) for text in pages)


def run(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out=out, err=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def _post(app: App, add_participant: Callable[..., int]) -> Path:
    create_account(app.db, AccountSetup("Dewi Lestari", "482913"), ROLE_COORDINATOR, None)
    coordinator = create_account.__globals__["log_in"](app.db, "Dewi Lestari", "482913")
    create_account(app.db, AccountSetup("Siti Aminah", "739164"), ROLE_VOLUNTEER, coordinator)
    add_participant(name="Siti Rahmawati", phone="081234567890")
    add_participant(name="Budi Santoso")
    root = app.folder.root
    app.close()
    return root


def _as(
    root: Path, *argv: str, who: str = "Dewi Lestari", pin: str = "482913"
) -> tuple[int, str, str]:
    return run(["--data-dir", str(root), "participant", *argv, "--coordinator", who], f"{pin}\n")


def test_erase_with_a_confirmation_then_the_list_and_the_refusals(
    qapp: Any, app: App, post: PostSummary, add_participant: Callable[..., int], tmp_path: Path
) -> None:
    if app.db.engine.dialect.name != "sqlite":
        pytest.skip("the command line opens the data folder's own SQLite file")
    root = _post(app, add_participant)
    out_pdf = tmp_path / "konfirmasi.pdf"
    day = ["--made-on", "2026-11-27", "--how", "in_person"]
    code, out, err = _as(root, "erase", "RP3209A-000001", *day, "--out", str(out_pdf))
    assert (code, err, out) == (0, "", f"{out_pdf}\n")
    text = pdf_text(out_pdf.read_bytes())
    assert "RP3209A-REQ1" in text and "RP3209A-000001" in text
    assert "Siti" not in text and "3209140101900001" not in text
    assert "UU 8/1997" in text and "10 tahun" in text
    assert "batch" in text.lower() or "kiriman" in text.lower()

    code, out, err = _as(root, "erase", "RP3209A-000001", *day)
    assert code == 1 and out == "" and err.count("\n") == 1 and "sudah dihapus" in err
    code, out, err = _as(root, "withdraw", "RP3209A-000099", *day)
    assert code == 1 and err.count("\n") == 1 and "RP3209A-000099" in err
    code, out, err = _as(root, "withdraw", "RP3209A-000002", *day, who="Siti Aminah", pin="739164")
    assert code == 1 and err.count("\n") == 1
    code, out, err = _as(
        root, "request", "RP3209A-000002", "--right", "copy", *day, "--note", "diberi di tempat"
    )
    assert (code, err, out) == (0, "", "RP3209A-REQ2\n")
    code, out, err = _as(root, "withdraw", "RP3209A-000002", *day, "--reason", "pindah kota")
    assert (code, err, out) == (0, "", "RP3209A-REQ3\n")

    code, out, err = _as(root, "requests", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["key"], r["right"], r["state"]) for r in rows] == [
        ("RP3209A-REQ1", "erase", "done"),
        ("RP3209A-REQ2", "copy", "done"),
        ("RP3209A-REQ3", "withdraw", "done"),
    ]
    assert all(r["branch_done_at"] is None for r in rows)
    code, out, err = run(["--data-dir", str(root), "receipts", "verify"])
    assert code == 0, err


def test_the_choices_are_the_services() -> None:
    from rumah_perisai.cli import participant_requests
    from rumah_perisai.services import requests

    assert participant_requests.HOWS == requests.HOWS
    assert participant_requests.RECORDED_ONLY == requests.RECORDED_ONLY


def test_the_requests_of_someone_the_post_does_not_hold_are_refused(
    app: App, post: PostSummary, add_participant: Callable[..., int]
) -> None:
    if app.db.engine.dialect.name != "sqlite":
        pytest.skip("the command line opens the data folder's own SQLite file")
    root = _post(app, add_participant)
    code, out, err = _as(root, "requests", "RP3209A-999999")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and "RP3209A-999999" in err
