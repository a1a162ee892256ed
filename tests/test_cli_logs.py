"""No NIK, name or phone number in the log (issue 14, item 11): a demo post and its training
branch run every command, refusals and a program error included, and their log files are
searched for every participant's NIK, name and phone number."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from rumah_perisai import vault
from rumah_perisai.cli import build_parser, main
from rumah_perisai.config import DataFolder
from tests.dbfiles import open_raw
from tests.test_cli_coordinator import _leaves

COORDINATOR = ["--coordinator", "Euis Komalasari"]
GROUPS = {
    "card", "receipts", "keys", "batch", "branch", "settings", "update", "accounts", "cash",
    "incentives", "participant", "access", "import",
}  # fmt: skip
PIN = "1357\n"


def run(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out=out, err=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def _people(post: Path) -> list[tuple[str, str, str, str | None, str | None]]:
    database = open_raw(DataFolder(post))
    try:
        rows = database.execute(
            "SELECT registration_no, nik, name, phone, heir_name FROM participants ORDER BY id"
        ).fetchall()
    finally:
        database.close()
    return rows


def _papers(post: Path) -> tuple[str, str]:
    """A receipt's number and a closed day, for the document commands."""
    database = open_raw(DataFolder(post))
    try:
        (number,) = database.execute("SELECT number FROM receipts ORDER BY id LIMIT 1").fetchone()
        (day,) = database.execute("SELECT day FROM daily_closes ORDER BY id LIMIT 1").fetchone()
    finally:
        database.close()
    return str(number), str(day)


def _secrets(rows: list[tuple[str, ...]]) -> set[str]:
    """Every NIK, name (and heir's name) and phone number, the phone also as +62…/62…."""
    found: set[str] = set()
    for _regno, nik, name, phone, heir in rows:
        found |= {nik, name}
        if heir:
            found.add(heir)
        if phone:
            digits = re.sub(r"[^0-9]", "", phone)
            found |= {phone, digits, "62" + digits.removeprefix("0")}
    return {text for text in found if len(text) >= 3}


def _participant_list(
    path: Path, people: list[tuple[str, str, str, str | None, str | None]]
) -> Path:
    """A list as a post kept it: the people here (some with a phone to fill), one bad row."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["NIK", "Nama", "Tgl Lahir", "L/P", "Desa", "No HP"])
    for _regno, nik, name, phone, _heir in people[:5]:
        sheet.append([nik, name, "", "L", "", phone or "0812 3456 7890"])
    sheet.append([people[0][1][:15], people[0][2], "1-1-1990", "L", "Desa Entah", "12"])
    book.save(path)
    return path


def _in(text: str, secret: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(secret)}(?![\w])", text) is not None


@pytest.mark.slow
def test_no_personal_data_reaches_the_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    branch, post, stick = tmp_path / "branch", tmp_path / "post", tmp_path / "stick"
    stick.mkdir()
    b, p = ["--data-dir", str(branch)], ["--data-dir", str(post)]
    ran: set[str] = set()

    def command(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
        words = [w for w in argv[2:] if not w.startswith("-")]
        ran.add(" ".join(words[:2]) if words[0] in GROUPS else words[0])
        return run(argv, stdin)

    assert command([*b, "branch", "init", "--demo"])[0] == 0
    assert command([*p, "demo", "--participants", "30"])[0] == 0
    people = _people(post)
    someone = people[3]
    key = str(branch / "keys" / "branch-public-key.json")
    post_key = tmp_path / "post-key.json"

    command([*p, "keys", "set-branch", key])
    command([*p, "keys", "show"])
    command([*p, "keys", "export-post", "--out", str(post_key)])
    command([*b, "branch", "add-post", str(post_key)])
    command([*p, "info"])
    for row in people[:5]:
        command([*p, "search", row[2]])
        command([*p, "search", row[1]])
        if row[3]:
            command([*p, "search", row[3]])
        command([*p, "nik", row[1]])
        command([*p, "nik", row[1], "--birth-date", "1901-01-01", "--sex", "L"])  # refused
    # refusals that name a participant: a second card without a reason, a file named after them
    named = tmp_path / f"{people[0][2]}.pdf"
    assert command([*p, "card", "print", people[0][0], "--out", str(named)])[0] == 0
    command([*p, "card", "print", people[0][0], "--out", str(tmp_path / "again.pdf")])
    command([*p, "card", "print", people[1][0], "--out", str(named)])
    nowhere = tmp_path / "none" / f"{someone[1]}.pdf"
    command([*p, "card", "print", people[1][0], "--out", str(nowhere)])
    command([*p, "card", "verify", f"{someone[1]} {someone[2]}"])
    command([*p, "receipts", "verify"])
    # the documents the window prints, written to files named after a participant (issue 18)
    number, day = _papers(post)
    assert (
        command([*p, "receipts", "print", number, "--out", str(tmp_path / f"{someone[2]}.pdf")])[0]
        == 0
    )
    command([*p, "receipts", "print", someone[1], "--out", str(tmp_path / "x.pdf")])  # refused
    assert (
        command([*p, "cash", "summary", day, "--out", str(tmp_path / f"{someone[1]}.pdf")])[0] == 0
    )
    assert command([*p, "calls", "--out", str(tmp_path / f"{someone[2]}.xlsx")])[0] == 0
    command([*p, "calls", "--out", str(tmp_path / f"{someone[2]}.txt")])  # refused: the kind
    statement = tmp_path / f"{someone[1]} insentif.pdf"
    assert command([*p, "incentives", "statement", day[:7], "--volunteer", "Asep Saepudin",
                    "--out", str(statement)])[0] == 0  # fmt: skip
    command(
        [
            *p,
            "incentives",
            "statement",
            day[:7],
            "--volunteer",
            someone[2],
            "--out",
            str(tmp_path / "nobody.pdf"),
        ]
    )  # refused: a participant is no volunteer
    # a person's report (issue 19): the PDF, the JSON, and a number the post does not hold
    report = [*p, "participant", "report", people[0][0], *COORDINATOR]
    assert command([*report, "--out", str(tmp_path / f"{someone[2]} laporan.pdf")], PIN)[0] == 0
    assert command([*report, "--json"], PIN)[0] == 0
    command([*p, "participant", "report", someone[1], "--json", *COORDINATOR], PIN)  # refused
    # a person's requests about their data (issue 19): recorded, withdrawn, erased, listed
    asked = ["--made-on", day, "--how", "in_person", *COORDINATOR]
    assert command([*p, "participant", "request", people[1][0], "--right", "copy", *asked],
                   PIN)[0] == 0  # fmt: skip
    assert command([*p, "participant", "withdraw", people[2][0], *asked], PIN)[0] == 0
    confirmation = tmp_path / f"{someone[2]} bukti.pdf"
    assert command([*p, "participant", "erase", people[3][0], *asked, "--out",
                    str(confirmation)], PIN)[0] == 0  # fmt: skip
    command([*p, "participant", "erase", people[3][0], *asked], PIN)  # refused: erased already
    command([*p, "participant", "erase", someone[1], *asked], PIN)  # refused: not held
    assert command([*p, "participant", "requests", "--json", *COORDINATOR], PIN)[0] == 0
    # paper receipts re-entered after a restore: refused here (no restore), a name in the file
    paper = tmp_path / "kertas.csv"
    paper.write_text(f"{people[0][0]},{someone[2]},{someone[1]}\n", encoding="utf-8")
    command([*p, "receipts", "reenter", str(paper), *COORDINATOR], PIN)
    code, out, err = command([*p, "batch", "export", *COORDINATOR, "--out", str(stick)], PIN)
    assert code == 0, err
    batch = out.splitlines()[-1]
    command([*p, "batch", "export", "--out", str(stick)])  # refused: no coordinator
    command([*p, "batch", "export", *COORDINATOR, "--again", "1", "--out", str(stick)], PIN)
    command([*p, "batch", "verify", batch])
    code, out, err = command([*p, "backup", *COORDINATOR, "--out", str(stick)], PIN)
    assert code == 0, err
    backup = out.splitlines()[-1]
    rescued = tmp_path / "rescued"
    rescued.mkdir()
    command([*b, "branch", "recover-post", backup, "--out", str(rescued)])
    command(["--data-dir", str(tmp_path / "new-laptop"), "restore", backup], "WRONG-CODE\n")
    command([*p, "batch", "list"])
    code, out, err = command([*b, "branch", "import", batch])
    assert code == 0, err
    command([*b, "branch", "posts"])
    command([*b, "branch", "conflicts"])
    setup = tmp_path / "RumahPerisai-9.9.9-setup.exe"
    setup.write_bytes(b"MZ not really an installer")
    command([*b, "branch", "sign-update", str(setup)])
    command([*p, "update", "check", str(setup)])  # signed by this post's branch: newer
    command([*p, "update", "install", str(setup)])  # refused: no coordinator
    command([*b, "branch", "decide", "1", "--keep", people[0][0], "--reason", someone[2]])
    command([*b, "branch", "suspend-post", "DEMO3209", "--reason", f"{someone[2]} minta"])
    command([*b, "branch", "resume-post", "DEMO3209"])
    command([*b, "branch", "kpj-import", str(named)])  # refused: not a spreadsheet
    # issue 20: BPJS's member list, named after a person and holding people's NIKs and names
    from openpyxl import Workbook

    listed = Workbook()
    listed.active.append(["NIK", "Nama", "KPJ"])
    for n, row in enumerate(people[:3]):
        listed.active.append([row[1], row[2], f"2601000000{n}"])
    listed.active.append([people[3][1], people[3][2], "26"])  # a row refused, quoting nothing
    members = tmp_path / f"{people[0][2]}.xlsx"
    listed.save(members)
    assert command([*b, "branch", "members-import", str(members)])[0] == 0
    command([*b, "branch", "members-import", str(named), "--json"])  # refused: not a spreadsheet
    command([*b, "branch", "export", "--out", str(tmp_path / "bpjs.xlsx")])
    yesterday = (date.today() - timedelta(days=1)).isoformat()  # never in the post's future
    lost = str(tmp_path / "laptop-hilang.xlsx")
    code, _out, err = command([*b, "branch", "post-subjects", "DEMO3209", "--on", yesterday,
                               "--out", lost])  # fmt: skip
    assert code == 0, err
    command([*p, "batch", "import-ack", out.strip()])
    command([*p, "batch", "refunds"])
    command([*p, "demo", "--participants", "3"])  # refused: a demo post is there
    command([*p, "init", "--post-code", "RP1", "--post-name", someone[2], "--kabupaten", "32.09"])
    command([*p, "areas", "desa", someone[2]])
    command([*p, "settings", "language"])
    # issue 20: a list naming participants, in a file named after one, checked and imported
    sheet_file = _participant_list(tmp_path / f"{someone[2]}.xlsx", people)
    command([*p, "import", "participants", str(sheet_file), "--dry-run", "--json", *COORDINATOR],
            PIN)  # fmt: skip
    result_file = str(tmp_path / f"{someone[1]}-hasil.xlsx")
    command([*p, "import", "participants", str(sheet_file), "--consent-confirmed",
             "--result", result_file, *COORDINATOR], PIN)  # fmt: skip
    # issue 16: a participant's name as an account to reset (refused: no such coordinator)
    command([*p, "accounts", "reset-pin", someone[2]], f"{vault.new_recovery_code()}\n570264\n")
    # issue 19: who looked, asked with a participant's name as the volunteer (refused: unknown)
    command([*p, "access", "list", "--volunteer", someone[2], "--coordinator", "Euis Komalasari"],
            "1357\n")  # fmt: skip

    # a program error whose text quotes a participant: the database's error carries the query
    # and, unless hidden, its parameters
    import rumah_perisai.cli.post as post_commands
    from rumah_perisai.cli.common import Context

    def broken(args: object, ctx: Context) -> int:
        from sqlalchemy import text

        from rumah_perisai.app import open_app

        with open_app(ctx.folder, ctx.database_url) as app, app.db.reading() as session:
            session.execute(text("SELECT nosuchcolumn FROM participants WHERE name = :n"),
                            {"n": someone[2]})  # fmt: skip
        return 0

    monkeypatch.setattr(post_commands, "cmd_info", broken)
    code, _out, err = run([*p, "info"])
    assert code == 1 and "kesalahan program" in err

    assert {" ".join(words) for words, _parser in _leaves(build_parser())} <= ran

    log = "\n".join(
        f.read_text(encoding="utf-8") for f in [*post.glob("logs/*"), *branch.glob("logs/*")]
    )
    assert "internal error" in log and "Traceback" in log  # the program error is there
    leaked = sorted(secret for secret in _secrets(people) if _in(log, secret))
    assert leaked == []
