"""Hostile input to any command (issue 14, item 7): a clear one-line refusal, exit 1 (refused) or
2 (wrong usage), never "internal error" or a traceback, with nothing changed and nothing left
behind: not in the data folders, not beside the file the command was pointed at.

One world (a demo post, a training branch that knows it, a few files) is made once and copied
for each case; every file under it is compared before and after (SQLite databases by their
rows), log files aside.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import io
import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from rumah_perisai.cli import main
from rumah_perisai.config import DataFolder
from rumah_perisai.exchange.ack import Ack, ack_bytes
from rumah_perisai.exchange.batchfile import HEADER, LENGTH_SIZE
from rumah_perisai.exchange.canonical import b64, canonical_json
from rumah_perisai.keys import public_bytes
from rumah_perisai.keys.files import load_branch_keys
from tests.dbfiles import content_digest, open_raw

COORDINATOR = ["--coordinator", "Euis Komalasari"]
PIN = "1357\n"
INTERNAL_ERROR = "Terjadi kesalahan program"
HUGE = "9" * 5000


def run(argv: list[str], stdin: str | io.TextIOBase = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    given = io.StringIO(stdin) if isinstance(stdin, str) else stdin
    code = main(argv, out=out, err=err, stdin=given)  # type: ignore[arg-type]
    return code, out.getvalue(), err.getvalue()


@dataclass
class World:
    root: Path

    @property
    def post(self) -> str:
        return str(self.root / "post")

    @property
    def branch(self) -> str:
        return str(self.root / "branch")

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def files(self) -> Path:
        return self.root / "files"

    def file(self, name: str) -> str:
        return str(self.files / name)


def _self_signed(content: dict[str, object]) -> bytes:
    """A key file that signs itself properly and carries the right fingerprint, as anyone can
    make one: only its content is hostile."""
    signer = Ed25519PrivateKey.generate()
    signing = public_bytes(signer)
    if content["format"] == "rumah-perisai-branch-key":
        encryption = X25519PrivateKey.generate().public_key().public_bytes_raw()
        content = dict(content, encryption_key=b64(encryption))
        digest = hashlib.sha256(encryption + signing).hexdigest()
    else:
        digest = hashlib.sha256(signing).hexdigest()
    content = dict(content, signing_key=b64(signing), fingerprint=digest)
    signed = dict(content, signature=b64(signer.sign(canonical_json(content))))
    return json.dumps(signed).encode()


def _hostile_files(root: Path, branch_dir: Path) -> None:
    files = root / "files"
    files.mkdir()
    (files / "empty.json").write_bytes(b"")
    (files / "binary.json").write_bytes(bytes(range(256)) * 4)
    (files / "nested-array.json").write_text("[" * 100_000 + "]" * 100_000)
    (files / "nested-object.json").write_text('{"a":' * 50_000 + "1" + "}" * 50_000)
    for kind in ("rumah-perisai-branch-key", "rumah-perisai-post-key", "rumah-perisai-ack"):
        (files / f"{kind}-big-version.json").write_text(
            f'{{"format": "{kind}", "version": {"1" * 5000}}}'
        )
        (files / f"{kind}-big-number.json").write_text(
            f'{{"format": "{kind}", "version": 1, "x": {"7" * 4000}}}'
        )
    (files / "branch-wrong-types.json").write_bytes(
        _self_signed({"format": "rumah-perisai-branch-key", "version": 1, "branch": "KC"})
    )
    (files / "post-wrong-types.json").write_bytes(
        _self_signed({"format": "rumah-perisai-post-key", "version": 1, "post": ["RP1"]})
    )
    (files / "post-bad-timezone.json").write_bytes(
        _self_signed(
            {
                "format": "rumah-perisai-post-key", "version": 1, "demo": True,
                "post": {"code": "DEMO0001", "name": "Pos", "kabupaten": "32.09",
                         "timezone": "Mars/Olympus"},
            }
        )
    )  # fmt: skip
    (files / "ack-branch-text.json").write_text(
        json.dumps({"format": "rumah-perisai-ack", "version": 1, "branch": "KC", "signature": ""})
    )
    keys = load_branch_keys(branch_dir / "keys")
    huge_seq = Ack(
        branch_code=keys.public.code, branch_fingerprint=keys.public.fingerprint,
        post_code="DEMO3209", seq=10**30, batch_file_hash="0" * 64,
        imported_at="2026-12-01T00:00:00+00:00", parts={}, demo=True,
    )  # fmt: skip
    (files / "ack-huge-seq.ack.json").write_bytes(ack_bytes(huge_seq, keys.signing))
    # signed by the branch itself, yet out of shape: another post's key that is no key
    (batch,) = (root / "stick").glob("*.rpb")  # beside it: the post's backup (issue 16)
    bad_post = dataclasses.replace(
        huge_seq,
        seq=1,
        batch_file_hash=hashlib.sha256(batch.read_bytes()).hexdigest(),
        posts=[{"post": "RP9", "signing_key": 7}],
    )
    (files / "ack-bad-post.ack.json").write_bytes(ack_bytes(bad_post, keys.signing))
    for name, manifest in (
        ("nested-manifest.rpb", b"[" * 60_000),
        ("big-number-manifest.rpb", b'{"format": 1' + b"0" * 4400 + b"}"),
    ):
        head = HEADER + len(manifest).to_bytes(LENGTH_SIZE, "big")
        (files / name).write_bytes(head + manifest + bytes(64))


@pytest.fixture(scope="module")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("world")
    branch, post = root / "branch", root / "post"
    assert run(["--data-dir", str(branch), "branch", "init", "--demo"])[0] == 0
    assert run(["--data-dir", str(post), "demo", "--participants", "12"])[0] == 0
    key = str(branch / "keys" / "branch-public-key.json")
    assert run(["--data-dir", str(post), "keys", "set-branch", key])[0] == 0
    post_key = root / "post-key.json"
    assert run(["--data-dir", str(post), "keys", "export-post", "--out", str(post_key)])[0] == 0
    assert run(["--data-dir", str(branch), "branch", "add-post", str(post_key)])[0] == 0
    (root / "stick").mkdir()
    export = [
        "--data-dir",
        str(post),
        "batch",
        "export",
        *COORDINATOR,
        "--out",
        str(root / "stick"),
    ]
    assert run(export, PIN)[0] == 0
    _hostile_files(root, branch)
    (root / "out").mkdir()
    return root


@pytest.fixture
def world(world_template: Path, tmp_path: Path) -> World:
    root = tmp_path / "world"
    shutil.copytree(world_template, root, symlinks=True)
    with (root / "files" / "huge.json").open("wb") as handle:  # sparse: takes no disk
        handle.truncate(3 * 1024**3)
    return World(root)


def _without_card(post: Path) -> tuple[str, str]:
    """A member of the demo post who has no card yet: registration number and name."""
    connection = open_raw(DataFolder(post), read_only=True)
    try:
        row = connection.execute(
            "SELECT registration_no, name FROM participants WHERE standing = 'member' AND id NOT"
            " IN (SELECT participant_id FROM card_issues) ORDER BY id"
        ).fetchone()
    finally:
        connection.close()
    assert row is not None
    return str(row[0]), str(row[1])


def _rows(database: Path) -> str:
    connection = open_raw(DataFolder(database.parent), read_only=True)
    try:
        return content_digest(connection)
    finally:
        connection.close()


def snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root`` (logs aside; a refused command may still log, even in a data
    folder made for it) and every empty folder: files by content, databases by their rows."""
    seen: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if "logs" in relative.parts or path.name.endswith(("-wal", "-shm")):
            continue
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            seen[str(relative)] = "special"
        elif path.is_dir():
            if not any(path.iterdir()):  # others are there for the files they hold
                seen[str(relative)] = "empty folder"
        elif path.suffix == ".sqlite3":
            seen[str(relative)] = _rows(path)
        elif path.stat().st_size > 10**8:
            seen[str(relative)] = f"big {path.stat().st_size}"
        else:
            seen[str(relative)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return seen


def _fail_writes(number: int) -> Callable[[pytest.MonkeyPatch], None]:
    """Make every write to a file fail as a full disk (ENOSPC) or a locked folder (EACCES)."""

    def patch(monkeypatch: pytest.MonkeyPatch) -> None:
        from rumah_perisai.exchange import safe_write

        def failing(fd: int, chunk: memoryview) -> int:
            raise OSError(number, os.strerror(number))

        monkeypatch.setattr(safe_write, "write_chunk", failing)

    return patch


@dataclass(frozen=True)
class Case:
    argv: Callable[[World], list[str]]
    code: int = 1
    stdin: str = ""
    prepare: Callable[[World], None] | None = None
    patch: Callable[[pytest.MonkeyPatch], None] | None = None
    says: str = ""  # a part of the refusal
    marks: list[pytest.MarkDecorator] = field(default_factory=list)


def _card(out: Callable[[World], Path | str]) -> Callable[[World], list[str]]:
    def argv(w: World) -> list[str]:
        regno, _name = _without_card(Path(w.post))
        return ["--data-dir", w.post, "card", "print", regno, "--out", str(out(w))]

    return argv


def _keep_me(name: str) -> Callable[[World], None]:
    return lambda w: (w.out / name).write_bytes(b"a file of the user's: keep me")


def _fifo(w: World) -> None:
    os.mkfifo(w.out / "pipe.pdf")


def _pipe_in_files(w: World) -> None:
    os.mkfifo(w.files / "pipe.rpb")  # reading it would wait for a writer for ever


def _loop(w: World) -> None:
    (w.root / "loop-a").symlink_to(w.root / "loop-b")
    (w.root / "loop-b").symlink_to(w.root / "loop-a")


POSIX_ONLY = [pytest.mark.skipif(os.name != "posix", reason="POSIX file kinds")]

CASES: dict[str, Case] = {
    # card print: the target
    "card print into a missing folder": Case(
        _card(lambda w: w.out / "no-such-folder" / "Een.pdf"), says="tidak ada"
    ),
    "card print onto a folder": Case(_card(lambda w: w.out)),
    "card print over an existing file": Case(
        _card(lambda w: w.out / "kartu.pdf"), prepare=_keep_me("kartu.pdf"), says="kartu.pdf"
    ),
    "card print over a named pipe": Case(
        _card(lambda w: w.out / "pipe.pdf"), prepare=_fifo, marks=POSIX_ONLY
    ),
    "card print to a full disk": Case(
        _card(lambda w: w.out / "Een.pdf"), patch=_fail_writes(errno.ENOSPC)
    ),
    "card print to a locked folder": Case(
        _card(lambda w: w.out / "Een.pdf"), patch=_fail_writes(errno.EACCES)
    ),
    "card print with a file name too long": Case(_card(lambda w: w.out / ("k" * 300 + ".pdf"))),
    "keys export-post with a file name too long": Case(
        lambda w: ["--data-dir", w.post, "keys", "export-post", "--out", str(w.out / ("k" * 300))]
    ),
    # arguments that are not text (invalid UTF-8, as POSIX hands them over)
    "search for invalid UTF-8": Case(
        lambda w: ["--data-dir", w.post, "search", "Siti\udcff"], code=2
    ),
    "a data folder named in invalid UTF-8": Case(
        lambda w: ["--data-dir", w.post + "\udcff", "info"], code=2
    ),
    "init with a post name in invalid UTF-8": Case(
        lambda w: [
            "--data-dir",
            str(w.root / "new"),
            "init",
            "--post-code",
            "RP1",
            "--post-name",
            "Pos \udcfe",
            "--kabupaten",
            "32.09",
        ],
        code=2,
    ),  # fmt: skip
    "batch export to a folder named in invalid UTF-8": Case(
        lambda w: [
            "--data-dir",
            w.post,
            "batch",
            "export",
            *COORDINATOR,
            "--out",
            str(w.out / "\udcff"),
        ],
        code=2,
        stdin=PIN,
    ),  # fmt: skip
    "a PIN in invalid UTF-8": Case(
        lambda w: ["--data-dir", w.post, "batch", "export", *COORDINATOR, "--out", str(w.out)],
        stdin="\udcff",
    ),
    "an empty output path": Case(
        lambda w: ["--data-dir", w.post, "batch", "export", *COORDINATOR, "--out", ""],
        code=2,
        stdin=PIN,
    ),  # fmt: skip
    # numbers too large for any column
    "batch export --again 99999999999999999999": Case(
        lambda w: [
            "--data-dir",
            w.post,
            "batch",
            "export",
            *COORDINATOR,
            "--again",
            "99999999999999999999",
            "--out",
            str(w.out),
        ],
        code=2,
        stdin=PIN,
    ),  # fmt: skip
    "batch export --again with 5,000 digits": Case(
        lambda w: [
            "--data-dir",
            w.post,
            "batch",
            "export",
            *COORDINATOR,
            "--again",
            HUGE,
            "--out",
            str(w.out),
        ],
        code=2,
        stdin=PIN,
    ),  # fmt: skip
    "demo --participants with 5,000 digits": Case(
        lambda w: ["--data-dir", str(w.root / "new"), "demo", "--participants", HUGE], code=2
    ),
    "demo --seed with 5,000 digits": Case(
        lambda w: [
            "--data-dir",
            str(w.root / "new"),
            "demo",
            "--participants",
            "1",
            "--seed",
            HUGE,
        ],
        code=2,
    ),  # fmt: skip
    "areas --limit 10**30": Case(
        lambda w: [
            "--data-dir",
            w.post,
            "areas",
            "kabupaten",
            "cirebon",
            "--limit",
            "1" + "0" * 30,
        ],
        code=2,
    ),  # fmt: skip
    # key files
    **{
        f"keys set-branch {name}": Case(
            lambda w, name=name: ["--data-dir", w.post, "keys", "set-branch", w.file(name)],
            says="kunci",
        )
        for name in (
            "empty.json",
            "binary.json",
            "nested-array.json",
            "nested-object.json",
            "rumah-perisai-branch-key-big-version.json",
            "rumah-perisai-branch-key-big-number.json",
            "branch-wrong-types.json",
        )
    },  # fmt: skip
    "keys set-branch of a 3 GB file": Case(
        lambda w: ["--data-dir", w.post, "keys", "set-branch", w.file("huge.json")]
    ),
    "branch kpj-import of a 3 GB file": Case(
        lambda w: ["--data-dir", w.branch, "branch", "kpj-import", w.file("huge.json")]
    ),
    "branch members-import of a 3 GB file": Case(
        lambda w: ["--data-dir", w.branch, "branch", "members-import", w.file("huge.json")]
    ),
    "keys set-branch of a folder": Case(
        lambda w: ["--data-dir", w.post, "keys", "set-branch", str(w.files)]
    ),
    "init --branch-key nested JSON": Case(
        lambda w: [
            "--data-dir",
            str(w.root / "new"),
            "init",
            "--post-code",
            "RP1",
            "--post-name",
            "Pos",
            "--kabupaten",
            "32.09",
            "--branch-key",
            w.file("nested-object.json"),
        ],
    ),  # fmt: skip
    **{
        f"branch add-post {name}": Case(
            lambda w, name=name: ["--data-dir", w.branch, "branch", "add-post", w.file(name)],
            says="kunci",
        )
        for name in (
            "nested-array.json",
            "nested-object.json",
            "rumah-perisai-post-key-big-version.json",
            "rumah-perisai-post-key-big-number.json",
            "post-wrong-types.json",
            "post-bad-timezone.json",
        )
    },  # fmt: skip
    # acknowledgements
    **{
        f"batch import-ack {name}": Case(
            lambda w, name=name: ["--data-dir", w.post, "batch", "import-ack", w.file(name)],
            says="tidak ada yang diubah",
        )
        for name in (
            "nested-array.json",
            "nested-object.json",
            "rumah-perisai-ack-big-version.json",
            "rumah-perisai-ack-big-number.json",
            "ack-branch-text.json",
            "ack-huge-seq.ack.json",
            "ack-bad-post.ack.json",
        )
    },
    # batch files
    **{
        f"{command} {name}": Case(
            lambda w, command=command, name=name: [
                "--data-dir",
                w.branch if command.startswith("branch") else w.post,
                *command.split(),
                w.file(name),
            ],
            says="rusak",
        )
        for command in ("batch verify", "branch import")
        for name in ("nested-manifest.rpb", "big-number-manifest.rpb")
    },
    **{
        f"{command} of a named pipe": Case(
            lambda w, command=command: [
                "--data-dir",
                w.branch if command.startswith("branch") else w.post,
                *command.split(),
                w.file("pipe.rpb"),
            ],
            prepare=_pipe_in_files,
            marks=POSIX_ONLY,
        )
        for command in ("batch verify", "branch import", "batch import-ack", "keys set-branch")
    },
    "keys set-branch ~unknown-user/key.json": Case(
        lambda w: ["--data-dir", w.post, "keys", "set-branch", "~no-such-user-rp14/key.json"],
        code=2,
    ),
    # the data folder itself
    "a data folder under an unknown user's home": Case(
        lambda w: ["--data-dir", "~no-such-user-rp14/post", "info"]
    ),
    "a data folder that is a symlink loop": Case(
        lambda w: ["--data-dir", str(w.root / "loop-a"), "info"], prepare=_loop, marks=POSIX_ONLY
    ),
}


@pytest.mark.parametrize(
    "name", [pytest.param(name, marks=case.marks) for name, case in CASES.items()]
)
def test_hostile_input_is_a_one_line_refusal_that_changes_nothing(
    name: str, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES[name]
    if case.prepare is not None:
        case.prepare(world)
    before = snapshot(world.root)
    if case.patch is not None:
        case.patch(monkeypatch)
    code, out, err = run(case.argv(world), case.stdin)
    assert code == case.code, err
    assert out == ""
    assert INTERNAL_ERROR not in err and "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert case.says in err
    assert snapshot(world.root) == before


def test_card_print_writes_under_a_name_without_personal_data_and_records_after(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is whole under its final name or absent; while it is written, its temporary
    name says nothing about whose card it is."""
    from rumah_perisai.exchange import safe_write

    names: list[list[str]] = []
    real = safe_write.write_chunk

    def watching(fd: int, chunk: memoryview) -> int:
        names.append(sorted(p.name for p in world.out.iterdir()))
        return real(fd, chunk)

    monkeypatch.setattr(safe_write, "write_chunk", watching)
    regno, name = _without_card(Path(world.post))
    first_name = name.split()[0]
    target = world.out / f"{name}.pdf"
    argv = ["--data-dir", world.post, "card", "print", regno]
    code, out, err = run([*argv, "--out", str(target)])
    assert (code, out, err) == (0, f"{target}\n", "")
    assert names, "the card is written through the write seam"
    assert all(first_name not in entry for listing in names for entry in listing)
    assert [p.name for p in world.out.iterdir()] == [target.name]
    assert target.read_bytes().startswith(b"%PDF")
    # and it is recorded: a second card for the same participant needs a reason now
    code, _out, err = run([*argv, "--out", str(world.out / "again.pdf")])
    assert code == 1 and "alasan" in err


@pytest.mark.parametrize("fails_at", [2, 3])
def test_branch_init_that_fails_half_way_leaves_nothing_and_can_run_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fails_at: int
) -> None:
    """The folder becomes unwritable after the first key file (2) or before the public key
    file (3): no key file is left, and ``branch init`` simply runs again."""
    from rumah_perisai.exchange import safe_write

    calls = {"n": 0}
    real = safe_write.write_chunk

    def failing(fd: int, chunk: memoryview) -> int:
        calls["n"] += 1
        if calls["n"] >= fails_at:
            raise OSError(errno.EACCES, os.strerror(errno.EACCES))
        return real(fd, chunk)

    branch = tmp_path / "branch"
    with monkeypatch.context() as patched:
        patched.setattr(safe_write, "write_chunk", failing)
        code, out, err = run(["--data-dir", str(branch), "branch", "init"])
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and INTERNAL_ERROR not in err
    assert not (branch / "keys").exists() or list((branch / "keys").iterdir()) == []
    code, out, err = run(["--data-dir", str(branch), "branch", "init"])
    assert code == 0, err
    assert sorted(p.name for p in (branch / "keys").iterdir()) == [
        "branch-encryption-x25519.pem", "branch-public-key.json", "branch-signing-ed25519.pem",
    ]  # fmt: skip


def test_a_damaged_settings_file_or_log_folder_does_not_stop_a_command(world: World) -> None:
    post = Path(world.post)
    (post / "settings.json").write_text("[" * 100_000)
    log_file = post / "logs" / "rumah-perisai.log"
    log_file.unlink()
    log_file.mkdir()  # the log file cannot be opened
    code, out, err = run(["--data-dir", world.post, "info", "--json"])
    assert (code, err) == (0, "")
    assert json.loads(out)["post"]["code"] == "DEMO3209"


@pytest.fixture
def binary_stdin() -> Iterator[io.TextIOWrapper]:
    stream = io.TextIOWrapper(io.BytesIO(b"\xff\xfe13\n"), encoding="utf-8")
    yield stream
    stream.close()


def test_a_pin_line_that_is_not_utf8_is_refused(
    world: World, binary_stdin: io.TextIOWrapper
) -> None:
    before = snapshot(world.root)
    code, out, err = run(
        ["--data-dir", world.post, "batch", "export", *COORDINATOR, "--out", str(world.out)],
        binary_stdin,
    )
    assert (code, out) == (1, "") and err.count("\n") == 1 and INTERNAL_ERROR not in err
    assert snapshot(world.root) == before
