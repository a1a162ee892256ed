"""The 5,000-row post list for the import benchmark (issue 20): ``bench/out/sheet5000.xlsx``.

    .venv/bin/python bench/make_sheets.py [--rows 5000] [--seed 20]

For the 200,000-participant demo post ``bench/out/demo200k`` (made with ``rumah-perisai demo
--participants 200000`` if missing, about a minute). The headers are a post's (``No``, ``NIK``,
``Nama Lengkap``, ``Tempat Lahir``, ``Tgl Lahir``, ``L/P``, ``Alamat``, ``RT``, ``RW``, ``Desa``,
``No HP``, ``Pekerjaan``, ``Petugas``, ``Tgl Daftar``); dates cycle through date cells, text
(``dd/mm/yyyy``, ``dd-mm-yyyy``, ``yyyy-mm-dd``) and Excel serial numbers; phones through
``08…``, ``+62 8…-…``, ``628…``, ``08.. .... ....``, a number that lost its 0, and none.

10 % of the rows (500 of 5,000) are of every other kind the issue names, each checked here with
the program's own rules (``validate_nik``, ``age_on``, ``normalize_phone``, ``likely_same_person``)
so that the expected status is the rule's, not a guess: bad NIKs of each reason, NIKs mangled by
Excel (text ``3.20915E+15`` and a number whose 16th digit became 0), birth date or sex disagreeing
with the NIK, each required field missing, under working age, a phone that is not one, a NIK a
second time in the file, possible duplicates of demo participants (same name and birth date,
another NIK), and demo participants themselves (same NIK: some identical, some with a phone
where the post has none). Every other row is a new person no demo participant resembles.

Also writes ``bench/out/sheet5000.expected.json`` (``{"rows": [{"row", "kind", "status"}],
"summary": {status: count}}``, rows numbered as in the spreadsheet, 1 = the header), which
``bench/bench_sheet_import.py`` compares with what the check says, kind by kind.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.sheet_files

from rumah_perisai import areas
from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import Participant, Volunteer
from rumah_perisai.domain.names import likely_same_person
from rumah_perisai.domain.nik import InvalidNik, validate_nik
from rumah_perisai.domain.working_age import age_on
from rumah_perisai.services.registration import normalize_phone
from tests.sheet_files import (
    POST_COLUMNS,
    Row,
    excel_rounded_nik,
    excel_scientific_nik,
    good_rows,
    make_nik,
    make_phone,
    phone_variants,
    unique_desa,
    write_xlsx,
)

OUT = Path(__file__).parent / "out"
KABUPATEN = "32.09"  # the demo post's (Kabupaten Cirebon)

# Kind -> (rows out of 5,000, expected status). 500 in all: 10 %.
KINDS: dict[str, tuple[int, str]] = {
    "nik_not_16_digits": (30, "refused"),  # 15 digits, or a letter O for a zero
    "nik_unknown_province": (30, "refused"),
    "nik_impossible_date": (30, "refused"),
    "nik_serial_zero": (25, "refused"),
    "nik_mangled_text": (35, "refused"),  # "3.20915E+15"
    "nik_mangled_number": (35, "refused"),  # a 16-digit number ending in 0
    "birth_date_mismatch": (35, "refused"),
    "sex_mismatch": (35, "refused"),
    "missing_nik": (10, "refused"),
    "missing_name": (10, "refused"),
    "missing_birth_date": (10, "refused"),
    "missing_sex": (10, "refused"),
    "missing_desa": (10, "refused"),
    "under_working_age": (30, "refused"),
    "phone_not_a_phone": (30, "refused"),
    "nik_twice_in_file": (30, "refused"),  # the second row; the first is a new one
    "possible_duplicate": (40, "possible_duplicate"),
    "already_here_identical": (40, "unchanged"),
    "already_here_phone_added": (25, "update"),
}
_UNKNOWN_VOLUNTEERS = ("Bu Ijah", "Kang Dadan", "")  # not accounts of the post: the coordinator
_BAD_PHONES = ("12345", "0812 34", "0812345678901234", "08-xxxx")


@dataclass(frozen=True)
class Demo:
    """What the sheet needs from the demo post."""

    niks: frozenset[str]
    names_by_birth: dict[date, list[str]]
    volunteers: dict[int, str]
    with_phone: list[Participant]  # members aged 18-60 of a uniquely named desa
    without_phone: list[Participant]


def ensure_demo(folder: DataFolder) -> None:
    if folder.database.exists():
        return
    print(f"making {folder.root} (200,000 participants)…", flush=True)
    command = [sys.executable, "-m", "rumah_perisai", "--data-dir", str(folder.root), "demo",
               "--participants", "200000"]  # fmt: skip
    subprocess.run(command, check=True)


def read_demo(folder: DataFolder, today: date, rng: random.Random) -> Demo:
    unique = {a.code for a in unique_desa(KABUPATEN)}
    niks: set[str] = set()
    names_by_birth: dict[date, list[str]] = defaultdict(list)
    fitting: list[int] = []
    p = Participant
    with open_app(folder, folder.sqlite_url) as app, app.db.reading() as session:
        volunteers = {
            id_: name for id_, name in session.execute(select(Volunteer.id, Volunteer.name))
        }
        everyone = session.execute(
            select(p.id, p.nik, p.name, p.birth_date, p.desa_code, p.standing, p.erased_at)
        )
        for id_, nik, name, birth_date, desa_code, standing, erased_at in everyone:
            niks.add(nik)
            names_by_birth[birth_date].append(name)
            if (
                standing == "member"
                and erased_at is None
                and desa_code in unique
                and 18 <= age_on(birth_date, today) <= 60
            ):
                fitting.append(id_)
        chosen = rng.sample(fitting, 2000)  # far more than the sheet takes
        people = list(session.scalars(select(p).where(p.id.in_(chosen)).order_by(p.id)))
        session.expunge_all()
    rng.shuffle(people)
    return Demo(
        niks=frozenset(niks),
        names_by_birth=dict(names_by_birth),
        volunteers=volunteers,
        with_phone=[p for p in people if p.phone],
        without_phone=[p for p in people if not p.phone],
    )


def demo_row(person: Participant, demo: Demo) -> Row:
    """A demo participant as the post's own list would hold them: every field as stored."""
    village = areas.area(person.desa_code)
    assert village is not None
    return {
        "nik": person.nik,
        "name": person.name,
        "birth_place": person.birth_place,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "street": person.street,
        "rt": person.rt,
        "rw": person.rw,
        "desa": village.name,
        "phone": person.phone,
        "occupation": person.occupation,
        "volunteer": demo.volunteers.get(person.registered_by_id or 0, ""),
        "registered_on": person.registered_on,
    }


class Maker:
    """Builds the rows: ``new`` people first (by :func:`good_rows`), then each bad kind."""

    def __init__(self, demo: Demo, today: date, rng: random.Random, pool: list[Row]) -> None:
        self.demo, self.today, self.rng = demo, today, rng
        self.pool = pool  # fresh good people, taken from the end
        self.taken = demo.niks | {row["nik"] for row in pool}
        self.serial = 9000  # NIK serials of possible duplicates: never a demo one

    def fresh(self) -> Row:
        row = dict(self.pool.pop())
        row.pop("no", None)  # the sheet numbers its rows itself
        return row

    def nik_not_16_digits(self, turn: int) -> Row:
        row = self.fresh()
        row["nik"] = row["nik"][:15] if turn % 2 else row["nik"][:10] + "O" + row["nik"][11:]
        return self._expect_nik(row, "not_16_digits")

    def nik_unknown_province(self, turn: int) -> Row:
        row = self.fresh()
        row["nik"] = ("20", "99", "00")[turn % 3] + row["nik"][2:]
        return self._expect_nik(row, "unknown_province")

    def nik_impossible_date(self, turn: int) -> Row:
        row = self.fresh()
        nik = row["nik"]
        # month 13, day 32 (a man's), day 72 (a woman's 32)
        row["nik"] = (
            nik[:8] + "13" + nik[10:],
            nik[:6] + "32" + nik[8:],
            nik[:6] + "72" + nik[8:],
        )[turn % 3]
        return self._expect_nik(row, "impossible_date")

    def nik_serial_zero(self, turn: int) -> Row:
        row = self.fresh()
        row["nik"] = row["nik"][:12] + "0000"
        return self._expect_nik(row, "serial_zero")

    def nik_mangled_text(self, turn: int) -> Row:
        row = self.fresh()
        row["nik"] = excel_scientific_nik(row["nik"])
        return row

    def nik_mangled_number(self, turn: int) -> Row:
        row = self.fresh()
        row["nik"] = excel_rounded_nik(row["nik"])  # a number cell: Excel kept 15 digits
        return row

    def birth_date_mismatch(self, turn: int) -> Row:
        row = self.fresh()
        row["birth_date"] += timedelta(days=(1, -1, 31, 365)[turn % 4])
        return self._expect_nik(row, "birth_date_mismatch")

    def sex_mismatch(self, turn: int) -> Row:
        row = self.fresh()
        row["sex"] = "P" if row["sex"] == "L" else "L"
        return self._expect_nik(row, "sex_mismatch")

    def _missing(self, field: str) -> Row:
        row = self.fresh()
        row[field] = None if self.rng.random() < 0.7 else " "
        return row

    def under_working_age(self, turn: int) -> Row:
        row = self.fresh()
        born = self.today - timedelta(days=365 * 13 + self.rng.randint(0, 600))
        row["birth_date"] = born
        row["registered_on"] = self.today - timedelta(days=self.rng.randint(1, 30))
        row["nik"] = (
            row["nik"][:6] + make_nik("00.00.00", born, row["sex"], 1)[6:12] + row["nik"][12:]
        )
        validate_nik(row["nik"], born, row["sex"], today=self.today)
        assert age_on(born, row["registered_on"]) < 15
        return row

    def phone_not_a_phone(self, turn: int) -> Row:
        row = self.fresh()
        row["phone"] = _BAD_PHONES[turn % len(_BAD_PHONES)]
        assert normalize_phone(row["phone"]) is None
        return row

    def possible_duplicate(self, turn: int) -> Row:
        """A demo member's name and birth date with another, valid NIK (and a new phone)."""
        person = self.demo.with_phone.pop()
        row = self.fresh()
        village = areas.area(person.desa_code)
        assert village is not None
        while True:
            self.serial += 1
            nik = make_nik(village.parent_code, person.birth_date, person.sex, self.serial)
            if nik not in self.taken:
                break
        row.update(nik=nik, name=person.name, birth_date=person.birth_date, sex=person.sex)
        validate_nik(nik, person.birth_date, person.sex, today=self.today)
        row["registered_on"] = max(row["registered_on"], _adult_on(person.birth_date))
        return row

    def already_here_identical(self, turn: int) -> Row:
        return demo_row(self.demo.with_phone.pop(), self.demo)

    def already_here_phone_added(self, turn: int) -> Row:
        row = demo_row(self.demo.without_phone.pop(), self.demo)
        row["phone"] = make_phone(self.rng)
        return row

    def _expect_nik(self, row: Row, code: str) -> Row:
        """The NIK check gives exactly ``code`` for this row (so the expected reason is sure)."""
        try:
            validate_nik(row["nik"], row["birth_date"], row["sex"], today=self.today)
        except InvalidNik as error:
            assert error.code == code, (error.code, code, row["nik"])
            return row
        raise AssertionError(f"{row['nik']} passes the NIK check")


def _adult_on(birth_date: date) -> date:
    return date(birth_date.year + 18, birth_date.month, min(birth_date.day, 28))


def new_people(demo: Demo, today: date, count: int, seed: int) -> list[Row]:
    """``count`` good people who are none of the demo's (by NIK) and resemble none of them (by
    name and birth date), and who were of working age on their registration date."""
    people = []
    for row in good_rows(KABUPATEN, count * 11 // 10 + 50, seed, today=today, first_serial=8001):
        if row["nik"] in demo.niks:
            continue
        if any(
            likely_same_person(row["name"], other)
            for other in demo.names_by_birth.get(row["birth_date"], ())
        ):
            continue
        # Registrations spread back to 2023, before the promotion campaign (2024): old lists.
        row["registered_on"] = max(
            today - timedelta(days=(today - date(2023, 1, 2)).days * (len(people) % 97) // 97 + 1),
            _adult_on(row["birth_date"]),
        )
        people.append(row)
    return people


def dress(rows: list[Row], rng: random.Random) -> None:
    """How a real list spells the good values: phones in every form (and some missing), some
    names in capitals, NIKs typed in groups, volunteers who are not accounts here."""
    for index, row in enumerate(rows):
        if row.get("kind") in ("already_here_identical", "already_here_phone_added"):
            continue
        phone = row.get("phone")
        if (
            phone
            and normalize_phone(str(phone)) is not None
            and row.get("kind") != "phone_not_a_phone"
        ):
            turn = index % 6
            row["phone"] = (
                None if turn == 5 else phone if turn == 4 else phone_variants(phone)[turn]
            )
        if rng.random() < 0.2 and row.get("name"):
            row["name"] = row["name"].upper()
        nik = row.get("nik")
        if isinstance(nik, str) and len(nik) == 16 and nik.isdigit() and rng.random() < 0.05:
            row["nik"] = " ".join((nik[:4], nik[4:8], nik[8:12], nik[12:]))
        if rng.random() < 0.1:
            row["volunteer"] = rng.choice(_UNKNOWN_VOLUNTEERS)


def build(demo: Demo, today: date, total: int, seed: int) -> list[Row]:
    rng = random.Random(seed)
    scale = total / 5000
    counts = {kind: max(1, round(n * scale)) for kind, (n, _) in KINDS.items()}
    bad = sum(counts.values())
    pool = new_people(demo, today, total, seed)
    maker = Maker(demo, today, rng, pool)
    new = [dict(maker.fresh(), kind="new") for _ in range(total - bad)]
    rows = list(new)
    for kind, count in counts.items():
        if kind == "nik_twice_in_file":
            continue
        for turn in range(count):
            if kind.startswith("missing_"):
                row = maker._missing(kind.removeprefix("missing_"))
            else:
                row = getattr(maker, kind)(turn)
            rows.append(dict(row, kind=kind))
    dress(rows, rng)
    rng.shuffle(rows)
    # The second row of a NIK: a copy of a new row (half of them exact, as a row pasted twice;
    # half another person typed with the same NIK), always somewhere below the first.
    for turn, first in enumerate(rng.sample(new, counts["nik_twice_in_file"])):
        second = dict(first, kind="nik_twice_in_file")
        if turn % 2:
            other = maker.fresh()
            second.update(name=other["name"], phone=other["phone"], street=other["street"])
        at = next(index for index, row in enumerate(rows) if row is first)
        rows.insert(rng.randint(at + 1, len(rows)), second)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=str(OUT / "demo200k"))
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--out", default=str(OUT / "sheet5000.xlsx"))
    args = parser.parse_args()
    folder = DataFolder(Path(args.data_dir))
    ensure_demo(folder)
    today = date.today()
    demo = read_demo(folder, today, random.Random(args.seed))
    rows = build(demo, today, args.rows, args.seed)
    out = Path(args.out)
    write_xlsx(out, POST_COLUMNS, rows, dates_as="mixed", sheet_title="Peserta")
    expected = [
        {"row": index + 2, "kind": row["kind"], "status": KINDS.get(row["kind"], (0, "new"))[1]}
        for index, row in enumerate(rows)
    ]
    summary = Counter(e["status"] for e in expected)
    out.with_suffix(".expected.json").write_text(
        json.dumps({"rows": expected, "summary": summary}, indent=1), encoding="utf-8"
    )
    print(f"{out} ({out.stat().st_size / 1e6:.1f} MB), {len(rows)} rows for {today}")
    by_kind = Counter(e["kind"] for e in expected)
    for kind, count in sorted(by_kind.items(), key=lambda item: -item[1]):
        print(f"  {kind:<26} {count:5d}  -> {KINDS.get(kind, (0, 'new'))[1]}")
    print("expected: " + ", ".join(f"{s} {summary.get(s, 0)}" for s in _STATUSES))


_STATUSES = ("new", "update", "possible_duplicate", "refused", "unchanged")


if __name__ == "__main__":
    main()
