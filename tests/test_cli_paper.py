"""``receipts reenter`` (issue 16, item 2): after a restore, the paper halves of the receipts
printed after the backup, entered from a CSV file (all or nothing), then ``--done`` with the
highest number printed; ``receipts verify`` names the numbers explained without a receipt."""

# ruff: noqa: F401, F811  (pytest fixtures imported from the service tests are used by name)

from __future__ import annotations

import io
import json
from pathlib import Path

from rumah_perisai.cli import main
from rumah_perisai.services.dues import ReceiptDoc
from tests.services.paper_world import Restored, number
from tests.services.test_paper_receipts import (
    LOST,
    _fingerprint,
    restored,
    sqlite_branch,
)

HEADER = "number,date,time,participant,first_month,months,amount,collector,cash,lost_reason\n"


def run(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out=out, err=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def _line(doc: ReceiptDoc, **changes: str) -> str:
    values = {
        "number": doc.number,
        "date": doc.issued_at.date().isoformat(),
        "time": doc.issued_at.strftime("%H.%M"),  # as printed
        "participant": doc.registration_no,
        "first_month": doc.lines[0].month.strftime("%Y-%m"),
        "months": str(doc.month_count),
        "amount": f"Rp {doc.total:,}".replace(",", "."),
        "collector": doc.volunteer_name,
        "cash": "",
        "lost_reason": "",
    }
    values.update(changes)
    return ",".join(f'"{v}"' for v in values.values()) + "\n"


def _reenter(restored: Restored, csv: str, tmp_path: Path, *extra: str) -> tuple[int, str, str]:
    path = tmp_path / "kuitansi.csv"
    path.write_text(csv, encoding="utf-8")
    folder = restored.side.app.folder
    argv = ["--data-dir", str(folder.root), "receipts", "reenter", str(path), *extra]
    return run([*argv, "--coordinator", "Dewi Lestari"], "482913\n")


def test_paper_receipts_from_a_file_then_done_and_the_chain_names_the_lost_number(
    restored: Restored, tmp_path: Path
) -> None:
    third, _fourth, fifth = restored.papers
    folder = restored.side.app.folder
    restored.side.app.close()
    lost = ",".join([f'"{number(4)}"', *(['""'] * 8), f'"{LOST}"']) + "\n"
    csv = HEADER + _line(third) + lost + _line(fifth, cash="70.000")

    code, out, err = _reenter(restored, csv, tmp_path)

    assert (code, err) == (0, "")
    assert out.count("\n") == 1 and number(3) in out and number(5) in out
    assert number(6) in out and "--done" in out
    code, out, err = run(["--data-dir", str(folder.root), "receipts", "verify", "--json"])
    assert code == 0, err
    report = json.loads(out)
    assert report["whole"] and report["receipts"] == 4
    assert report["explained_gaps"] == [{"number": number(4), "reason": LOST}]
    done = ["--data-dir", str(folder.root), "receipts", "reenter", "--done", number(5), "--json"]
    code, out, err = run([*done, "--coordinator", "Dewi Lestari"], "482913\n")
    assert code == 0, err
    assert json.loads(out) == {"entered": [], "held": False, "next": [], "last": number(5)}


def test_a_file_with_one_wrong_line_enters_nothing_and_says_which(
    restored: Restored, tmp_path: Path
) -> None:
    third, _fourth, fifth = restored.papers
    before = _fingerprint(restored.side.app)
    restored.side.app.close()
    csv = HEADER + _line(third) + _line(fifth, amount="1")

    code, out, err = _reenter(restored, csv, tmp_path)

    assert (code, out) == (1, "")
    assert err.startswith("Baris 3: ") and err.count("\n") == 1, err
    for bad, start in (
        (b"\xff\xfe not text", "Berkas tidak dapat dibaca"),
        (HEADER.encode() + b'"RP3209A-2026-000003","3 Des","","","","","","","",""\n', "Baris 2"),
        (HEADER.encode(), "Berkas tidak berisi"),
    ):
        path = tmp_path / "rusak.csv"
        path.write_bytes(bad)
        argv = ["--data-dir", str(restored.side.app.folder.root), "receipts", "reenter", str(path)]
        code, out, err = run([*argv, "--coordinator", "Dewi Lestari"], "482913\n")
        assert (code, out) == (1, "") and err.startswith(start) and err.count("\n") == 1, err
    from rumah_perisai.app import open_app

    folder = restored.side.app.folder
    restored.side.app = open_app(folder, folder.sqlite_url)
    assert _fingerprint(restored.side.app) == before
