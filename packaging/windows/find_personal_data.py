"""Search every file of a data folder for what a thief must not read (run by ``wine-check``).

    python3 find_personal_data.py AT_REST.json DATA_DIR

AT_REST.json is what ``at_rest.py`` printed for the folder: its participants (NIK, name,
phone) read with the key, and the key. Every file of the folder (database, WAL and journal,
backups, logs, settings, keys) is read as bytes and searched for each NIK, each name (as written,
in small and in capital letters), each phone number and the key (hex, and its raw bytes); no
file may start as a plain SQLite database does. Exit 0 with a one-line summary, else 1 naming
the file and the kind of value found (never the value: it is personal data).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

PLAIN_HEADER = b"SQLite format 3\x00"
MIN_LENGTH = 6  # shorter strings (a one-word name) could turn up by chance in random bytes


def needles(report: dict[str, object]) -> list[tuple[str, bytes]]:
    found: list[tuple[str, bytes]] = []
    participants = report["participants"]
    assert isinstance(participants, list)
    for nik, name, phone in participants:
        found.append(("a NIK", nik.encode()))
        for form in {name, name.lower(), name.upper()}:
            if len(form) >= MIN_LENGTH:
                found.append(("a name", form.encode("utf-8")))
        if len(phone) >= MIN_LENGTH:
            found.append(("a phone number", phone.encode()))
    key = str(report["key"])
    found += [("the key", key.encode()), ("the key", key.upper().encode())]
    found.append(("the key", bytes.fromhex(key)))
    return found


def main() -> int:
    report = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    folder = Path(sys.argv[2])
    searched = needles(report)
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    problems = []
    for path in files:
        data = path.read_bytes()
        relative = path.relative_to(folder)
        if data.startswith(PLAIN_HEADER):
            problems.append(f"{relative} is a plain SQLite database")
        kinds = sorted({kind for kind, needle in searched if needle in data})
        problems += [f"{relative} holds {kind} in clear" for kind in kinds]
    if problems:
        print("; ".join(problems))
        return 1
    people = len(report["participants"])
    print(f"{len(files)} files searched for {people} participants' NIK, name and phone and for the "
          "key: none found, and no plain SQLite file")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
