"""What a data folder holds at rest, told by the installed program's own Python under Wine.

    python.exe at_rest.py DATA_DIR

Run by ``wine-check``: it prints one JSON object on stdout, and the check (on Linux, which has no
key for the folder) then searches every file of the folder for each participant's NIK, name and
phone, and for the key itself. The object says which key store the program used (``store`` in
``vault.json``; the ``keyring`` backend and whether the key is in it), the database's schema and
participants read with the key, and each copy in ``backups/``: plain or not, its schema and its
participants, read with the same key.
"""

from __future__ import annotations

import json
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import keyring

from rumah_perisai import vault
from rumah_perisai.config import DataFolder
from rumah_perisai.db.encrypted import connect, is_plain, open_raw


def contents(connection: Any) -> dict[str, Any]:
    schema = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    people = connection.execute("SELECT nik, name, phone FROM participants").fetchall()
    rows = [[nik, name, phone or ""] for nik, name, phone in people]
    return {"schema": schema, "participants": rows}


def main() -> None:
    folder = DataFolder(Path(sys.argv[1]))
    record = vault.read_record(folder)
    assert record is not None, "no vault.json"
    key = vault.database_key(folder)
    backend = keyring.get_keyring()
    entry = vault._entry_name(record["id"])  # the name the program keeps the key under
    # Read-write connections that only read: a read-only one cannot remove the -wal and -shm
    # files it makes on a WAL database, and the check compares the folder's files.
    with closing(open_raw(folder)) as connection:
        database = contents(connection)
    backups = {}
    for path in sorted(folder.backups.glob("*.sqlite3")):
        with closing(connect(path, key)) as connection:
            backups[path.name] = {"plain": is_plain(path), **contents(connection)}
    report = {
        "keyring": f"{type(backend).__module__}.{type(backend).__qualname__}",
        "store": record["store"],
        "protection": vault.key_protection(folder).value,
        "key_in_store": backend.get_password(vault.KEYRING_SERVICE, entry) == key.hex(),
        "entry": entry,
        "key": key.hex(),
        "plain": is_plain(folder.database),
        **database,
        "backups": backups,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
