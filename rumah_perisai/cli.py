"""The command line: ``rumah-perisai [--data-dir DIR] [--db URL] [--demo] [COMMAND [ARGS]]``.

The convention every command follows (scripts and the branch rely on it):

* without a COMMAND the window opens; with one it never does;
* exit 0 done, 1 refused or a check failed (one line saying why, on stderr), 2 wrong usage;
* messages in the language setting (Bahasa Indonesia by default);
* machine-readable output (``--json``, printed paths) goes alone to stdout;
* logging goes to the data folder's log file, never to the terminal, and never carries a
  participant's NIK, name or phone (refusals are logged by their message key);
* no command asks a question but a coordinator's PIN (``--coordinator NAME``); what the window
  lets only a coordinator do needs one here too (``coordinator_option``);
* hostile input (a damaged, huge or wrong kind of file, text that is not UTF-8, a number out of
  range) is a one-line refusal that changes nothing and leaves nothing behind;
* changes made here are audited as ``cli:<OS login>`` (``... as <coordinator>`` with one).
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import io
import json
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any, NoReturn, TextIO

from rumah_perisai import __version__, areas
from rumah_perisai.config import (
    LANGUAGES,
    DataFolder,
    LocalSettings,
    resolve_data_folder,
    resolve_database_url,
)
from rumah_perisai.errors import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    UsageError,
    UserError,
    triage,
)
from rumah_perisai.i18n import set_language, tr
from rumah_perisai.logs import configure_logging
from rumah_perisai.messages import MESSAGES

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace, "Context"], int]


class Context:
    """What a command needs: where the data folder is, which database, and how to print."""

    def __init__(self, args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO) -> None:
        self.args = args
        self.folder: DataFolder = resolve_data_folder(args.data_dir, demo=args.demo)
        self.database_url = resolve_database_url(self.folder, args.db)
        self.out = out
        self.err = err
        self.stdin = stdin

    @staticmethod
    def actor() -> str:
        try:
            login = getpass.getuser()
        except (KeyError, OSError):  # no user name (a container without /etc/passwd entry)
            login = "unknown"
        return f"cli:{login}"

    def acting(self, db: Any) -> Any:
        """Who does what the command changes: the OS login, or with ``--coordinator NAME`` that
        coordinator, the PIN checked (a volunteer's name is refused). The commands declared
        with ``coordinator_option(required=True)`` were refused before they started without
        one (``_require_coordinator``).

        The PIN is a try like one in the window: after 5 wrong ones the account waits, and a
        PIN made before the rule of issue 16 is refused here until its owner has chosen a new
        one in the window (a command cannot ask for one)."""
        from rumah_perisai.services.volunteers import Actor, attempt_login, require_coordinator

        name = getattr(self.args, "coordinator", None)
        if name is None:
            return Actor(label=self.actor())
        login = attempt_login(db, name, _read_pin(name, self, confirm=False), by=self.actor())
        require_coordinator(login.actor)
        if login.must_change_pin:
            raise UserError("pin_change_in_window", name=login.actor.name)
        return dataclasses.replace(login.actor, label=f"{self.actor()} as {login.actor.label}")

    def say(self, text: str) -> None:
        print(text, file=self.out)

    def emit_json(self, value: Any) -> None:
        json.dump(value, self.out, ensure_ascii=False, indent=2, default=str)
        self.out.write("\n")


class _Parser(argparse.ArgumentParser):
    """argparse that reports wrong usage in the user's language, as exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError("usage_error", detail=message)


# --- commands ------------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.keys import format_fingerprint
    from rumah_perisai.services.posts import PostSetup, normalise_setup, set_up_post
    from rumah_perisai.services.volunteers import AccountSetup, check_pin, tidy_name

    request = PostSetup(
        code=args.post_code,
        name=args.post_name,
        kabupaten_code=args.kabupaten,
        wadah=args.wadah,
        timezone=args.timezone,
    )
    normalise_setup(request)  # bad input is refused before anything is created
    branch_key = Path(args.branch_key) if args.branch_key else None
    branch_file = _read_input_file(branch_key, KEY_FILE_LIMIT) if branch_key else None
    if branch_file is not None:
        from rumah_perisai.exchange.keyfiles import read_branch_key_file

        if read_branch_key_file(branch_file).demo:
            raise UserError("branch_key_demo")
    if args.coordinator is not None:
        name = tidy_name(args.coordinator)  # a bad name is refused before the PIN is asked
        coordinator = AccountSetup(name, check_pin(_read_pin(name, ctx)))
        request = dataclasses.replace(request, coordinator=coordinator)
    with open_app(ctx.folder, ctx.database_url) as app:
        summary = set_up_post(app.db, ctx.folder, request, ctx.actor())
        if branch_file is not None:
            from rumah_perisai.services.branch_keys import install_branch_key
            from rumah_perisai.services.volunteers import Actor

            install_branch_key(app.db, branch_file, Actor(label=ctx.actor()))
    if args.json:
        ctx.emit_json(asdict(summary))
    else:
        ctx.say(
            tr(
                "Post {code} ({name}) is ready. Post key fingerprint: {fingerprint}",
                code=summary.code,
                name=summary.name,
                fingerprint=format_fingerprint(summary.key_fingerprint),
            )
        )
        ctx.say(
            tr(
                "Recovery code (shown only now; write it on the recovery sheet and keep it "
                "sealed away from the laptop): {code}",
                code=summary.recovery_code,
            )
        )
    return EXIT_OK


def _read_pin(name: str, ctx: Context, *, confirm: bool = True) -> str:
    """The one question any command asks: at a terminal unseen (twice when a PIN is made,
    ``confirm``); else one line of stdin."""
    if ctx.stdin.isatty():
        first = getpass.getpass(tr("PIN for {name}: ", name=name))
        if confirm and getpass.getpass(tr("PIN again: ")) != first:
            raise UserError("pin_mismatch")
        return first
    try:
        line = ctx.stdin.readline(64).strip()  # a PIN is 4-8 digits; more is not one
    except UnicodeDecodeError as error:
        raise UserError("pin_rule") from error  # no PIN is anything but digits
    if not line:
        raise UserError("pin_missing")
    return line


class TerminalProgress:
    """A one-line progress bar on stderr, drawn only for a person at a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._shown = stream.isatty()
        self._last = -1

    def step(self, done: int, total: int, text: str = "") -> None:
        if not self._shown or total <= 0:
            return
        percent = min(100, done * 100 // total)
        if percent == self._last:
            return
        self._last = percent
        bar = "#" * (percent // 4)
        self._stream.write(f"\r[{bar:<25}] {percent:3d}% {text[:40]:<40}")
        self._stream.flush()

    def finish(self) -> None:
        if self._shown and self._last >= 0:
            self._stream.write("\n")
            self._stream.flush()


def cmd_demo(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.services.demo import DemoRequest, create_demo_post

    request = DemoRequest(participants=args.participants, seed=args.seed)
    if args.post_code:
        request = dataclasses.replace(request, post_code=args.post_code.upper())
    progress = TerminalProgress(ctx.err)
    with open_app(ctx.folder, ctx.database_url) as app:
        try:
            summary = create_demo_post(app.db, ctx.folder, request, ctx.actor(), progress)
        finally:
            progress.finish()
    if args.json:
        ctx.emit_json(asdict(summary))
    else:
        ctx.say(
            tr(
                "Demo post {code} made: {participants} participants in {seconds:.1f} s.",
                code=summary.post_code,
                participants=summary.participants,
                seconds=summary.seconds,
            )
        )
        ctx.say(
            tr(
                "{receipts} receipts ({voids} voids, {refunds} refunds), {closes} daily closes,"
                " {deposits} deposits.",
                receipts=summary.receipts,
                voids=summary.voids,
                refunds=summary.refunds,
                closes=summary.daily_closes,
                deposits=summary.deposits,
            )
        )
    return EXIT_OK


def cmd_card_print(args: argparse.Namespace, ctx: Context) -> int:
    from sqlalchemy import select

    from rumah_perisai.app import open_app
    from rumah_perisai.db.models import Participant
    from rumah_perisai.services.cards import prepare_cards, record_cards, save_cards

    out = _output_path(args.out)
    with open_app(ctx.folder, ctx.database_url) as app:
        with app.db.reading() as session:
            participant_id = session.scalar(
                select(Participant.id).where(Participant.registration_no == args.regno.upper())
            )
        if participant_id is None:
            raise UserError("participant_missing", ref=args.regno)
        prepared = prepare_cards(
            app.db, ctx.folder, [participant_id], reason=args.reason or "first", sheet=False
        )
        save_cards(prepared, out)  # recorded only once the file is really there
        try:
            record_cards(app.db, prepared, ctx.acting(app.db))
        except BaseException:
            out.unlink(missing_ok=True)  # a card not recorded must not be printed from a file
            raise
    print(out, file=ctx.out)
    return EXIT_OK


def cmd_card_verify(args: argparse.Namespace, ctx: Context) -> int:
    """What a scanned card is (``--json``: ``{"state": ...}``); exit 0 only for a card to accept:
    this post's current card, or another post's genuine card (see ``CardScan.current``)."""
    from rumah_perisai.app import open_app
    from rumah_perisai.services.cards import check_card

    with open_app(ctx.folder, ctx.database_url) as app:
        scan = check_card(app.db, args.text)
    message = scan.message()  # names the registration number, never the participant
    if args.json:
        ctx.emit_json(scan.as_json())
    elif scan.current:
        ctx.say(message)
    if not scan.current:
        print(message, file=ctx.err)
        return EXIT_REFUSED
    return EXIT_OK


def cmd_receipts_verify(args: argparse.Namespace, ctx: Context) -> int:
    """Check the post's receipt chain: exit 0 when whole, 1 naming the first receipt wrong."""
    from rumah_perisai.app import open_app
    from rumah_perisai.services.receipt_chain import verify_chain

    with open_app(ctx.folder, ctx.database_url) as app:
        report = verify_chain(app.db)
    if args.json:
        ctx.emit_json(
            {
                "whole": report.whole,
                "post": report.post_code,
                "receipts": report.receipts,
                "problem": report.problem,
                "receipt": report.number,
                "newest_hash": report.newest_hash,
                "explained_gaps": [{"number": g.number, "reason": g.reason} for g in report.gaps],
                "message": report.message(),
            }
        )
    if report.whole:
        if not args.json:
            ctx.say(report.message())
        return EXIT_OK
    print(report.message(), file=ctx.err)
    return EXIT_REFUSED


def cmd_receipts_reenter(args: argparse.Namespace, ctx: Context) -> int:
    """After a restore: the receipts printed after the backup, entered again from a file of
    their paper halves (all or nothing), or re-entry finished with the highest number printed
    (``--done``; ``none`` when nothing was printed since the backup)."""
    from rumah_perisai.app import open_app
    from rumah_perisai.services.paper_receipts import (
        Entered,
        enter_all,
        finish,
        paper_status,
        read_paper_file,
    )

    entered: list[Entered] = []
    if args.file is not None:
        entries, lines = read_paper_file(_read_input_file(Path(args.file), PAPER_FILE_LIMIT))
    with open_app(ctx.folder, ctx.database_url) as app:
        actor = ctx.acting(app.db)
        if args.file is not None:
            entered = enter_all(app.db, entries, actor, lines)
        else:
            done = args.done.strip()
            finish(app.db, None if done.lower() in ("none", "-", "") else done, actor)
        status = paper_status(app.db)
    if args.json:
        ctx.emit_json(
            {
                "entered": [
                    {"number": e.number, "lost": e.lost, "day": e.day, "total": e.total}
                    for e in entered
                ],
                "held": status.held,
                "next": list(status.expected),
                "last": status.last_entered,
            }
        )
        return EXIT_OK
    if args.file is not None:
        receipts = sum(1 for e in entered if not e.lost)
        ctx.say(
            tr(
                "Entered again: {receipts} paper receipts and {lost} lost numbers, {first} to "
                "{last}. Next: {next}. When every paper half is in: receipts reenter --done "
                "<the highest number printed>.",
                receipts=receipts,
                lost=len(entered) - receipts,
                first=entered[0].number,
                last=entered[-1].number,
                next=" / ".join(status.expected) or "-",
            )
        )
    else:
        ctx.say(
            tr(
                "Paper receipts after the restore are finished: new receipts follow {number}.",
                number=status.last_entered or "-",
            )
        )
    return EXIT_OK


def cmd_keys_set_branch(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.keys import format_fingerprint
    from rumah_perisai.services.branch_keys import install_branch_key

    data = _read_input_file(Path(args.file), KEY_FILE_LIMIT)
    with open_app(ctx.folder, ctx.database_url) as app:
        installed = install_branch_key(app.db, data, ctx.acting(app.db))
    key = installed.key
    shown = format_fingerprint(key.fingerprint)
    if installed.unchanged:
        ctx.say(
            tr(
                "This branch key was installed already: {name}, fingerprint {fp}",
                name=key.name,
                fp=shown,
            )
        )
    elif installed.replaced is not None:
        ctx.say(
            tr(
                "Branch key of {name} installed in place of {old}. Fingerprint: {fp}",
                name=key.name,
                old=format_fingerprint(installed.replaced.fingerprint),
                fp=shown,
            )
        )
    else:
        ctx.say(tr("Branch key of {name} installed. Fingerprint: {fp}", name=key.name, fp=shown))
    ctx.say(tr("Compare the fingerprint with the branch by phone before the first batch."))
    return EXIT_OK


def cmd_keys_show(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.keys import format_fingerprint
    from rumah_perisai.services.branch_keys import installed_branch_key, post_public_key

    with open_app(ctx.folder, ctx.database_url) as app:
        post = post_public_key(app.db)
        branch = installed_branch_key(app.db)
    if args.json:
        ctx.emit_json(
            {
                "post": {"code": post.code, "fingerprint": post.fingerprint},
                "branch": {
                    "code": branch.code,
                    "name": branch.name,
                    "fingerprint": branch.fingerprint,
                }
                if branch
                else None,
            }
        )
        return EXIT_OK
    ctx.say(tr("Post {code}: {fp}", code=post.code, fp=format_fingerprint(post.fingerprint)))
    if branch is None:
        ctx.say(tr("Branch: no key installed"))
    else:
        ctx.say(
            tr(
                "Branch {code} ({name}): {fp}",
                code=branch.code,
                name=branch.name,
                fp=format_fingerprint(branch.fingerprint),
            )
        )
    return EXIT_OK


def cmd_keys_export_post(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.exchange.safe_write import write_file
    from rumah_perisai.keys import fingerprint, format_fingerprint
    from rumah_perisai.services.branch_keys import post_key_file_bytes, post_public_key

    out = _output_path(args.out)
    with open_app(ctx.folder, ctx.database_url) as app:
        data = post_key_file_bytes(app.db, ctx.folder.keys)
        post = post_public_key(app.db)
    write_file(out.parent, out.name, data)
    print(
        tr("Fingerprint: {fp}", fp=format_fingerprint(fingerprint(post.signing_key))), file=ctx.err
    )
    print(out, file=ctx.out)
    return EXIT_OK


# The largest file each kind of input can be; a bigger one is not one (and is never read whole).
KEY_FILE_LIMIT = 1 << 20
# An ACK is parsed before its signature is checked: 32 MB (a branch of 2 million participants
# sends at most ~22 MB of duplicate-warning prefixes) keeps a forged one from filling memory.
ACK_FILE_LIMIT = 32 << 20
PAPER_FILE_LIMIT = 1 << 20  # a few hundred lines of paper receipts at most
SPREADSHEET_LIMIT = 256 << 20  # BPJS's KPJ list of a whole branch is a few megabytes


def _read_input_file(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a file the user named: a regular file (a folder, a device or a pipe is
    refused before it is opened), at most ``limit`` bytes."""
    path = path.expanduser()
    try:
        if path.exists() and not path.is_file():
            raise UserError("input_not_a_file", path=str(path))
        size = path.stat().st_size
        if limit is not None and size > limit:
            raise UserError("input_too_big", path=str(path), size=size)
        return path.read_bytes()
    except OSError as error:
        raise UserError("file_unreadable", path=str(path), reason=error.strerror) from error


def _output_path(text: str) -> Path:
    """A file to be written, as an absolute path (what is printed is what was written)."""
    return Path(text).absolute()


def _regular_files(texts: Sequence[str]) -> list[Path]:
    """Files the user named for a service to read: one that is a folder, a device or a pipe
    (reading a pipe would wait for ever) is refused before anything is opened."""
    paths = [Path(text) for text in texts]
    for path in paths:
        try:
            usable = path.is_file() or not path.exists()  # a missing one: the service says so
        except OSError as error:
            raise UserError("file_unreadable", path=str(path), reason=error.strerror) from error
        if not usable:
            raise UserError("input_not_a_file", path=str(path))
    return paths


def cmd_batch_export(args: argparse.Namespace, ctx: Context) -> int:
    """Write the next batch (or batch ``--again SEQ``) into ``--out DIR``; its path alone on
    stdout's last line."""
    from rumah_perisai.app import open_app
    from rumah_perisai.services.batches import export_batch, write_again

    progress = TerminalProgress(ctx.err)
    with open_app(ctx.folder, ctx.database_url) as app:
        actor = ctx.acting(app.db)
        try:
            if args.again is not None:
                written = write_again(app.db, ctx.folder, args.again, Path(args.out), actor)
            else:
                written = export_batch(app.db, ctx.folder, Path(args.out), actor, progress)
        finally:
            progress.finish()
    info = written.info
    print(
        tr(
            "Batch {seq} holds {holding} {size} bytes.",
            seq=info.seq,
            holding=info.holding.text(),
            size=info.file_size,
        ),
        file=ctx.err,
    )
    if written.backup is not None:
        print(tr("The post's backup is beside it: {path}", path=written.backup), file=ctx.err)
    elif written.backup_error is not None:
        print(tr("The batch is whole, but the post's backup could not be written beside it: "
                 "{reason}", reason=written.backup_error), file=ctx.err)  # fmt: skip
    print(written.path, file=ctx.out)
    return EXIT_OK


def cmd_batch_verify(args: argparse.Namespace, ctx: Context) -> int:
    """Whether a batch file is whole and whose it is, from its manifest; exit 1 with why not."""
    from rumah_perisai.app import open_app
    from rumah_perisai.services.batches import verify_file

    (path,) = _regular_files([args.file])
    with open_app(ctx.folder, ctx.database_url) as app:
        verified = verify_file(app.db, path)
    manifest = verified.manifest
    if args.json:
        ctx.emit_json(
            {
                "whole": True,
                "file": str(verified.path),
                "file_sha256": verified.sealed.file_hash,
                "signer_known": verified.signer_known,
                "recorded_here": verified.recorded_here,
                "manifest": manifest,
            }
        )
        return EXIT_OK
    from rumah_perisai.services.batch_holding import part_text

    # In words a volunteer knows, the time in the post's zone (issue 17): the JSON stays as it
    # was, for scripts.
    for line in verified.lines():
        ctx.say(line)
    ctx.say(tr("Rows in each part of the file:"))
    for part in manifest.get("parts", []):
        ctx.say(f"  {part_text(part['name'])}: {part['records']}")
    return EXIT_OK


def cmd_batch_import_ack(args: argparse.Namespace, ctx: Context) -> int:
    """Take in the branch's acknowledgement of a batch."""
    from rumah_perisai.app import open_app
    from rumah_perisai.services.acks import take_ack

    path = Path(args.file).expanduser()
    data = _read_input_file(path, ACK_FILE_LIMIT)
    with open_app(ctx.folder, ctx.database_url) as app:
        taken = take_ack(app.db, data, path.name, ctx.acting(app.db))
    if taken.already:
        ctx.say(tr("Batch {seq} was acknowledged already; nothing changed.", seq=taken.seq))
        return EXIT_OK
    ctx.say(
        tr(
            "Batch {seq} acknowledged by the branch: {rejected} rejected so far, {kpj} new KPJ "
            "numbers, {posts} other posts known.",
            seq=taken.seq,
            rejected=taken.rejected,
            kpj=taken.kpj_numbers,
            posts=taken.posts,
        )
    )
    for number in taken.newly_rejected:
        ctx.say(
            tr("Rejected by the branch: {regno} (its cards are no longer valid).", regno=number)
        )
    return EXIT_OK


def cmd_batch_refunds(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.services.acks import refunds_due

    with open_app(ctx.folder, ctx.database_url) as app:
        rows = refunds_due(app.db)
    if args.json:
        ctx.emit_json([asdict(row) for row in rows])
        return EXIT_OK
    for row in rows:
        ctx.say(f"{row.receipt}\t{row.registration_no}\t{row.name}\t{row.total}\t{row.reason}")
    return EXIT_OK


def cmd_batch_list(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.services.acks import branch_view
    from rumah_perisai.services.batches import batches

    with open_app(ctx.folder, ctx.database_url) as app:
        rows = batches(app.db)
        lacking = set(branch_view(app.db).missing)
    # A batch the branch said it never received (a later one's acknowledgement): write it again.
    if args.json:
        ctx.emit_json(
            [asdict(row) | {"missing_at_branch": row.seq in lacking and row.state != "acknowledged"}
             for row in rows]
        )  # fmt: skip
        return EXIT_OK
    for row in rows:
        state = (
            "missing_at_branch"
            if row.seq in lacking and row.state != "acknowledged"
            else (row.state)
        )
        ctx.say(f"{row.seq}\t{row.created_on.isoformat()}\t{state}\t{row.records}\t{row.file_name}")
    return EXIT_OK


def cmd_branch_init(args: argparse.Namespace, ctx: Context) -> int:
    """Make the branch's keys; the public key file's path alone on stdout."""
    from rumah_perisai.app import open_app
    from rumah_perisai.branch import branch_keys, init_branch
    from rumah_perisai.keys import format_fingerprint

    with open_app(ctx.folder, ctx.database_url) as app:
        path = init_branch(app.db, ctx.folder, args.code, args.name, demo=args.demo)
        key = branch_keys(ctx.folder).public
    print(path.resolve(), file=ctx.out)
    print(tr("Fingerprint: {fp}", fp=format_fingerprint(key.fingerprint)), file=ctx.err)
    if key.demo:
        print(tr("A training branch: it takes demo posts' batches only."), file=ctx.err)
    return EXIT_OK


def cmd_branch_add_post(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.branch import add_post
    from rumah_perisai.keys import format_fingerprint

    data = _read_input_file(Path(args.file), KEY_FILE_LIMIT)
    with open_app(ctx.folder, ctx.database_url) as app:
        added = add_post(app.db, ctx.folder, data, ctx.acting(app.db))
    key = added.key
    fp = format_fingerprint(key.fingerprint)
    if added.unchanged:
        text = tr("Post {code} ({name}) was registered already with this key: {fp}", code=key.code,
                  name=key.name, fp=fp)  # fmt: skip
    else:
        text = tr("Post {code} ({name}) registered. Fingerprint: {fp}", code=key.code,
                  name=key.name, fp=fp)  # fmt: skip
    ctx.say(text)
    ctx.say(tr("Compare the fingerprint with the post by phone before importing its batches."))
    return EXIT_OK


def cmd_branch_suspend(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.branch import set_suspended
    from rumah_perisai.services.volunteers import Actor

    reason = args.reason if args.branch_command == "suspend-post" else None
    with open_app(ctx.folder, ctx.database_url) as app:
        set_suspended(app.db, args.code, reason, Actor(label=ctx.actor()))
    return EXIT_OK


def cmd_branch_posts(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.branch import branch_posts

    with open_app(ctx.folder, ctx.database_url) as app:
        rows = branch_posts(app.db)
    if args.json:
        ctx.emit_json([asdict(row) for row in rows])
        return EXIT_OK
    for row in rows:
        held = ",".join(str(s) for s in row.held) or "-"
        state = row.suspended_reason or "-"
        ctx.say(f"{row.code}\t{row.name}\t{row.last_seq}\t{held}\t{row.participants}\t{state}")
    return EXIT_OK


def cmd_branch_import(args: argparse.Namespace, ctx: Context) -> int:
    """Import batch files; each acknowledgement's path alone on a stdout line. Exit 1 when a
    batch is held behind a gap or a file is refused (those before it stay imported)."""
    from rumah_perisai.app import open_app
    from rumah_perisai.branch import ImportResult, import_files
    from rumah_perisai.services.volunteers import Actor

    progress = TerminalProgress(ctx.err)
    held = False

    def report(result: ImportResult) -> None:
        # Printed as each file is done: a file refused later leaves these lines standing.
        nonlocal held
        progress.finish()
        for done in (result, *result.followed):
            print(done.message(), file=ctx.err)
            if done.ack_path is not None:
                print(done.ack_path, file=ctx.out)
            held = held or done.state == "held"

    def kept(backup: Any) -> None:
        if backup.refusal is not None:
            print(backup.refusal.message(), file=ctx.err)
        elif backup.kept is not None:
            print(tr("Backup of post {post} kept: {path}", post=backup.post_code,
                     path=backup.kept), file=ctx.err)  # fmt: skip

    files = _regular_files(args.files)
    with open_app(ctx.folder, ctx.database_url) as app:
        try:
            import_files(
                app.db,
                ctx.folder,
                files,
                Actor(label=ctx.actor()),
                gap_reason=args.allow_gap,
                progress=progress,
                on_result=report,
                on_backup=kept,
            )
        finally:
            progress.finish()
    code = EXIT_REFUSED if held else EXIT_OK
    if args.allow_gap:
        print(tr("Imported past a gap: recorded with the reason given."), file=ctx.err)
    return code


def cmd_branch_recover_post(args: argparse.Namespace, ctx: Context) -> int:
    """A post's backup re-issued for a one-time code: the new file's path, then the code, each
    alone on a line of stdout."""
    from rumah_perisai.app import open_app
    from rumah_perisai.branch.backups import recover_post

    _branch_folder(ctx)
    (path,) = _regular_files([args.file])
    with open_app(ctx.folder, ctx.database_url) as app:
        recovered = recover_post(app.db, ctx.folder, path, Path(args.out).expanduser())
    print(tr("Give the post this file and, separately (by phone or in person), the one-time "
             "code below; it opens this file only."), file=ctx.err)  # fmt: skip
    print(recovered.path, file=ctx.out)
    print(recovered.one_time_code, file=ctx.out)
    return EXIT_OK


def cmd_branch_conflicts(args: argparse.Namespace, ctx: Context) -> int:
    """NIK conflicts between two posts' accepted members, waiting for an officer."""
    from rumah_perisai.app import open_app
    from rumah_perisai.branch import pending_conflicts

    _branch_folder(ctx)
    with open_app(ctx.folder, ctx.database_url) as app:
        rows = pending_conflicts(app.db)
    if args.json:
        ctx.emit_json([asdict(row) for row in rows])
        return EXIT_OK
    for row in rows:
        a, b = row.first, row.second
        ctx.say(f"{row.id}\t{a.post_code}\t{a.registration_no}\t{b.post_code}\t"
                f"{b.registration_no}\t{row.found_on}")  # fmt: skip
    return EXIT_OK


def cmd_branch_decide(args: argparse.Namespace, ctx: Context) -> int:
    """An officer's decision on a NIK conflict: the registration kept; the other is rejected."""
    from rumah_perisai.app import open_app
    from rumah_perisai.branch import decide_conflict
    from rumah_perisai.services.volunteers import Actor

    _branch_folder(ctx)
    with open_app(ctx.folder, ctx.database_url) as app:
        lost = decide_conflict(app.db, args.id, args.keep, args.reason, Actor(label=ctx.actor()))
    print(tr("Registration {regno} is rejected; its post hears it in its next acknowledgement.",
             regno=lost), file=ctx.err)  # fmt: skip
    return EXIT_OK


def _branch_folder(ctx: Context) -> None:
    from rumah_perisai.branch import is_branch

    if not is_branch(ctx.folder):
        raise UserError("not_a_branch", path=str(ctx.folder.root))


def cmd_branch_kpj_import(args: argparse.Namespace, ctx: Context) -> int:
    """Store the KPJ numbers of BPJS's spreadsheet; a summary, then each row not stored. Exit 1
    when no NIK of the file matched a participant, or the file is unusable (nothing changed)."""
    from rumah_perisai.app import open_app
    from rumah_perisai.branch.xlsx import kpj_import
    from rumah_perisai.services.volunteers import Actor

    path = Path(args.file).expanduser()
    data = _read_input_file(path, SPREADSHEET_LIMIT)
    _branch_folder(ctx)
    with open_app(ctx.folder, ctx.database_url) as app:
        result = kpj_import(app.db, path, Actor(label=ctx.actor()), data=data)
    ctx.say(
        tr(
            "KPJ numbers from {name}: {stored} stored, {unchanged} already stored, {unknown} "
            "unknown NIKs, {invalid} unusable rows, {conflicts} not overwritten.",
            name=path.name,
            stored=result.set,
            unchanged=result.unchanged,
            unknown=len(result.unknown),
            invalid=len(result.invalid),
            conflicts=len(result.conflicts),
        )
    )
    for conflict in result.conflicts:
        ctx.say(tr("Row {row}: {reason}", row=conflict.row, reason=conflict.message()))
    for row in result.invalid:
        ctx.say(tr("Row {row}: {reason}", row=row.row, reason=row.message()))
    for nik in result.unknown:
        ctx.say(tr("No participant with NIK {nik} at this branch.", nik=nik))
    if result.matched == 0:
        print(
            tr("No NIK in {name} matched a participant at this branch; nothing was stored.",
               name=path.name),
            file=ctx.err,
        )  # fmt: skip
        return EXIT_REFUSED
    return EXIT_OK


def cmd_branch_export(args: argparse.Namespace, ctx: Context) -> int:
    """Write the registrations and dues for BPJS's systems; the file's path alone on stdout."""
    from rumah_perisai.app import open_app
    from rumah_perisai.branch.xlsx import branch_export

    _branch_folder(ctx)
    with open_app(ctx.folder, ctx.database_url) as app:
        counts = branch_export(app.db, Path(args.out).expanduser())
    print(
        tr("{registrations} registrations and {receipts} receipts written.",
           registrations=counts.registrations, receipts=counts.receipts),
        file=ctx.err,
    )  # fmt: skip
    print(counts.path, file=ctx.out)
    return EXIT_OK


# --- backups and restoring a post (issue 16) ---


def cmd_backup(args: argparse.Namespace, ctx: Context) -> int:
    """A coordinator's backup of the post into DIR; its path alone on stdout's last line."""
    from rumah_perisai.app import open_app
    from rumah_perisai.services.backup import write_backup

    progress = TerminalProgress(ctx.err)
    with open_app(ctx.folder, ctx.database_url) as app:
        ctx.acting(app.db)  # a coordinator's PIN, checked (the option is required)
        try:
            info = write_backup(app, Path(args.out), "manual", progress)
        finally:
            progress.finish()
    print(tr("Backup written and checked: {size} bytes.", size=info.size), file=ctx.err)
    print(info.path, file=ctx.out)
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, ctx: Context) -> int:
    """Restore the post from a backup into the data folder with the recovery (or one-time) code,
    read at the terminal unseen or as one line of stdin."""
    from rumah_perisai.services.backup import read_backup_header, restore_backup

    (path,) = _regular_files([args.file])
    read_backup_header(path)  # a damaged file is said before the code is asked
    code = _read_code(ctx)
    result = restore_backup(ctx.folder, path, code)
    if args.json:
        ctx.emit_json(
            {
                "post_code": result.post_code,
                "post_name": result.post_name,
                "backup_created_at": result.backup_created_at.isoformat(),
                "restored_at": result.restored_at.isoformat(),
                "kind": result.kind,
                "last_receipt": result.last_receipt,
                "last_batch_seq": result.last_batch_seq,
                "new_recovery_code": result.new_recovery_code,
                "not_held": result.not_held,
                "set_aside": str(result.set_aside) if result.set_aside else None,
            }
        )
        return EXIT_OK
    ctx.say(tr("Post {code} ({name}) restored.", code=result.post_code, name=result.post_name))
    ctx.say(result.not_held)
    if result.set_aside is not None:
        ctx.say(tr("What this folder held before is kept in {path}.", path=result.set_aside))
    if result.new_recovery_code is not None:
        ctx.say(tr("NEW RECOVERY CODE (shown only now; write it on the sheet for the envelope, "
                   "the old code and the one-time code no longer open this post):"))  # fmt: skip
        ctx.say(f"    {result.new_recovery_code}")
    return EXIT_OK


def _read_code(ctx: Context) -> str:
    """The recovery code: at a terminal unseen, else one line of stdin (as a PIN is read)."""
    if ctx.stdin.isatty():
        text = getpass.getpass(tr("Recovery code (or the branch's one-time code): "))
    else:
        try:
            text = ctx.stdin.readline(200)
        except UnicodeDecodeError as error:
            raise UserError("recovery_code_bad_form") from error
    if not text.strip():
        raise UserError("restore_code_missing")
    return text.strip()


# --- updates on the stick (issue 15) ---


def cmd_branch_sign_update(args: argparse.Namespace, ctx: Context) -> int:
    """Sign an installer for the posts; the signature file's path alone on stdout."""
    from rumah_perisai.branch import branch_keys
    from rumah_perisai.services.updates import sign_update

    keys = branch_keys(ctx.folder)
    path = sign_update(
        Path(args.file).expanduser(), keys.public, keys.signing, version=args.version
    )
    print(path.resolve(), file=ctx.out)
    return EXIT_OK


def cmd_update_check(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.services.updates import check_update

    with open_app(ctx.folder, ctx.database_url) as app:
        update = check_update(app.db, Path(args.file).expanduser())
    ctx.say(tr("{name}: version {version}, signed by branch {branch}; ready to install.",
               name=update.path.name, version=update.version, branch=update.branch))  # fmt: skip
    return EXIT_OK


def cmd_update_install(args: argparse.Namespace, ctx: Context) -> int:
    """Check the installer again and start it silently; this program exits so it can be
    replaced (the installer waits for it, then opens the new version)."""
    from rumah_perisai.app import open_app
    from rumah_perisai.services.updates import install_update

    with open_app(ctx.folder, ctx.database_url) as app:
        actor = ctx.acting(app.db)
        update = install_update(app.db, ctx.folder.root, Path(args.file).expanduser(), actor)
    ctx.say(tr("Version {version} is being installed; the program opens again when it is done.",
               version=update.version))  # fmt: skip
    return EXIT_OK


def cmd_search(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.domain.timezones import local_date
    from rumah_perisai.services.participant_search import ParticipantSearch, found_participants
    from rumah_perisai.services.posts import local_post

    with open_app(ctx.folder, ctx.database_url) as app, app.db.reading() as session:
        post = local_post(session)
        if post is None:
            raise UserError("no_post")
        today = local_date(app.db.clock(), post.timezone)
        search = ParticipantSearch(post.id)
        found = found_participants(session, search.ids(session, args.text), today)
    if args.json:
        ctx.emit_json([asdict(hit) for hit in found])
        return EXIT_OK
    for hit in found:
        until = hit.cover_until.isoformat() if hit.cover_until else "-"
        ctx.say(f"{hit.registration_number}\t{hit.nik}\t{hit.name}\t{hit.status}\t{until}")
    return EXIT_OK


def cmd_accounts_reset_pin(args: argparse.Namespace, ctx: Context) -> int:
    """A coordinator who forgot their PIN: the post's recovery code, then the new PIN (each one
    line of stdin, or asked unseen at a terminal, the PIN twice)."""
    from rumah_perisai.app import open_app
    from rumah_perisai.services.pin_reset import reset_pin_with_recovery_code
    from rumah_perisai.services.volunteers import tidy_name

    name = tidy_name(args.name)  # a bad name is refused before anything is asked
    code = _read_secret_line(ctx, tr("Recovery code: "), "recovery_code_missing")
    pin = _read_pin(name, ctx)
    with open_app(ctx.folder, ctx.database_url) as app:
        owner = reset_pin_with_recovery_code(app.db, ctx.folder, code, name, pin, by=ctx.actor())
    ctx.say(tr("{name}'s PIN was changed; log in with the new one.", name=owner.name))
    return EXIT_OK


def _read_secret_line(ctx: Context, prompt: str, missing: str) -> str:
    """One secret line: unseen at a terminal, else one line of stdin (``_read_pin``'s way)."""
    if ctx.stdin.isatty():
        line = getpass.getpass(prompt)
    else:
        try:
            line = ctx.stdin.readline(200)
        except UnicodeDecodeError as error:
            raise UserError("recovery_code_bad_form") from error
    if not line.strip():
        raise UserError(missing)
    return line.strip()


def cmd_info(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.app import open_app
    from rumah_perisai.db.models import SCHEMA_REVISION
    from rumah_perisai.services.posts import post_summary

    with open_app(ctx.folder, ctx.database_url) as app:
        summary = post_summary(app.db)
        url = app.db.engine.url.render_as_string(hide_password=True)
    info = {
        "version": __version__,
        "data_dir": str(ctx.folder.root),
        "database": url,
        "schema": SCHEMA_REVISION,
        "language": app.settings.language,
        "post": asdict(summary) if summary else None,
    }
    if args.json:
        ctx.emit_json(info)
        return EXIT_OK
    for key, value in info.items():
        if key != "post":
            ctx.say(f"{key}: {value}")
    if summary is None:
        ctx.say(tr("There is no post in this data folder yet. Run first: rumah-perisai init ..."))
    else:
        for key, value in asdict(summary).items():
            ctx.say(f"post.{key}: {value}")
    return EXIT_OK


def cmd_areas(args: argparse.Namespace, ctx: Context) -> int:
    if args.level == "kabupaten":
        found = areas.search_regencies(args.query, limit=args.limit)
    else:
        found = areas.search_villages(args.query, regency_code=args.kabupaten, limit=args.limit)
    if args.json:
        ctx.emit_json(
            [{"code": a.code, "name": a.name, "full_name": areas.full_name(a.code)} for a in found]
        )
        return EXIT_OK
    if not found:  # like `search`: nothing found is an answer, not a failure
        print(tr(MESSAGES["no_area_match"], query=args.query), file=ctx.err)
        return EXIT_OK
    for found_area in found:
        ctx.say(f"{found_area.code}\t{areas.full_name(found_area.code)}")
    return EXIT_OK


def cmd_nik(args: argparse.Namespace, ctx: Context) -> int:
    from rumah_perisai.domain.nik import validate_nik

    info = validate_nik(args.nik, birth_date=args.birth_date, sex=args.sex)
    result = asdict(info)
    region = areas.area(info.district_code) or areas.area(info.regency_code)
    result["region"] = areas.full_name(region.code) if region else None
    if args.json:
        ctx.emit_json(result)
    else:
        for key, value in result.items():
            ctx.say(f"{key}: {value}")
    return EXIT_OK


def cmd_settings(args: argparse.Namespace, ctx: Context) -> int:
    settings = LocalSettings.load(ctx.folder, environ={})
    if args.value is None:
        ctx.say(settings.language)
        return EXIT_OK
    settings.language = args.value
    ctx.folder.ensure_writable()
    settings.save(ctx.folder)
    set_language(settings.language)
    ctx.say(tr("Language set to {language}.", language=settings.language))
    return EXIT_OK


def _whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``. Bounded, so that no number a
    person can type reaches a database column it does not fit (``--again 99999999999999999999``)
    or makes the program count to it."""

    def parse(text: str) -> int:
        digits = text.strip()
        if len(digits) <= 12 and digits.lstrip("+-").isdigit() and low <= int(digits) <= high:
            return int(digits)
        raise argparse.ArgumentTypeError(f"{text[:24]!r}: {low}..{high}")

    return parse


def _path_text(text: str) -> str:
    """An argparse type for a file or folder, ``~`` expanded: not empty (an empty path would
    mean "here"), and no ``~user`` of an unknown user."""
    if not text.strip():
        raise argparse.ArgumentTypeError("''")
    expanded = os.path.expanduser(text)
    if expanded.startswith("~"):
        raise argparse.ArgumentTypeError(f"{text[:40]!r}: ~?")
    return expanded


def coordinator_option(parser: argparse.ArgumentParser, *, required: bool) -> None:
    """``--coordinator NAME`` on a command, its PIN asked at the terminal or read as one line
    from stdin: the one way a command is done as a coordinator (``Context.acting``).

    ``required``: the window lets only a coordinator do this (writing the weekly batch, and
    what is to come: backups and restores, participant reports, imports, erasures); without
    ``--coordinator`` the command is refused before it starts. Otherwise the option is for the
    cases the service itself reserves to a coordinator (replacing the branch key)."""
    parser.add_argument(
        "--coordinator",
        metavar="NAME",
        help=tr("a coordinator's name; the PIN is asked at the terminal or read from stdin"),
    )
    parser.set_defaults(coordinator_required=required)


def _require_coordinator(args: argparse.Namespace) -> None:
    if getattr(args, "coordinator_required", False) and args.coordinator is None:
        raise UserError("coordinator_needed")


def _birth_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r}: YYYY-MM-DD") from error


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="rumah-perisai",
        description=tr(
            "Rumah Perisai: BPU registration, cards, dues and weekly batches. Without a "
            "COMMAND the program's window opens."
        ),
    )
    parser.add_argument("--version", action="version", version=f"rumah-perisai {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        type=_path_text,  # empty (a script's unset $DIR) is wrong usage, never the real post
        help=tr(
            "data folder (database, keys, backups, logs); default: $RUMAH_PERISAI_HOME or "
            "the user data folder"
        ),
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help=tr(
            "another database URL (e.g. postgresql+psycopg://...); default: "
            "$RUMAH_PERISAI_DB or SQLite in the data folder"
        ),
    )
    parser.add_argument("--demo", action="store_true", help=tr("use a demo post in its own folder"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    init = commands.add_parser("init", help=tr("set up a new post in the data folder"))
    init.add_argument("--post-code", required=True, metavar="CODE")
    init.add_argument("--post-name", required=True, metavar="NAME")
    init.add_argument(
        "--kabupaten",
        required=True,
        metavar="CODE",
        help=tr(
            "kabupaten/kota code, e.g. 32.09 (find it with: rumah-perisai areas kabupaten NAME)"
        ),
    )
    init.add_argument("--wadah", metavar="NAME")
    init.add_argument("--timezone", choices=["WIB", "WITA", "WIT"], type=str.upper)
    init.add_argument(
        "--coordinator",
        metavar="NAME",
        help=tr(
            "create the first coordinator account with this name; the PIN is asked at the "
            "terminal (or read from stdin)"
        ),
    )
    init.add_argument(
        "--branch-key",
        type=_path_text,
        metavar="FILE",
        help=tr("the branch's public key file, installed at once"),
    )
    init.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    init.set_defaults(handler=cmd_init)

    demo = commands.add_parser(
        "demo", help=tr("fill an empty data folder with a demo post of made-up participants")
    )
    demo.add_argument("--participants", type=_whole_number(1, 999_999), required=True, metavar="N")
    demo.add_argument("--seed", type=_whole_number(0, 2**31 - 1), default=1, metavar="S")
    demo.add_argument("--post-code", metavar="CODE")
    demo.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    demo.set_defaults(handler=cmd_demo)

    card = commands.add_parser("card", help=tr("print a membership card, or check a scanned one"))
    card_commands = card.add_subparsers(dest="card_command", required=True, parser_class=_Parser)
    card_print = card_commands.add_parser("print", help=tr("write one participant's card as PDF"))
    card_print.add_argument("regno", metavar="REGNO")
    card_print.add_argument("--out", type=_path_text, required=True, metavar="FILE.pdf")
    card_print.add_argument("--reason", choices=["lost", "damaged", "corrected"])
    card_print.set_defaults(handler=cmd_card_print)
    card_verify = card_commands.add_parser(
        "verify", help=tr("check a scanned card code; exit 0 only for a genuine, current card")
    )
    card_verify.add_argument("text", metavar="TEXT")
    card_verify.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    card_verify.set_defaults(handler=cmd_card_verify)

    receipts = commands.add_parser("receipts", help=tr("check the post's dues receipts"))
    receipt_commands = receipts.add_subparsers(
        dest="receipts_command", required=True, parser_class=_Parser
    )
    receipts_verify = receipt_commands.add_parser(
        "verify",
        help=tr("check that no receipt was altered, removed or reordered; exit 1 naming the first"),
    )
    receipts_verify.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    receipts_verify.set_defaults(handler=cmd_receipts_verify)
    reenter = receipt_commands.add_parser(
        "reenter",
        help=tr(
            "after a restore: enter again the receipts printed after the backup (a CSV file of "
            "their paper halves), or finish with --done HIGHEST"
        ),
    )
    what = reenter.add_mutually_exclusive_group(required=True)
    what.add_argument("file", nargs="?", type=_path_text, metavar="FILE.csv")
    what.add_argument(
        "--done",
        metavar="HIGHEST",
        help=tr("the highest receipt number printed since the backup (none: nothing printed)"),
    )
    reenter.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    coordinator_option(reenter, required=True)
    reenter.set_defaults(handler=cmd_receipts_reenter)

    keys_cmd = commands.add_parser("keys", help=tr("the post's and the branch's keys"))
    keys_commands = keys_cmd.add_subparsers(
        dest="keys_command", required=True, parser_class=_Parser
    )
    set_branch = keys_commands.add_parser(
        "set-branch", help=tr("install the branch's public key file (replacing one: --coordinator)")
    )
    set_branch.add_argument("file", type=_path_text, metavar="FILE")
    coordinator_option(set_branch, required=False)  # only replacing a key needs one
    set_branch.set_defaults(handler=cmd_keys_set_branch)
    show_keys = keys_commands.add_parser(
        "show", help=tr("show the post's and the branch's fingerprints")
    )
    show_keys.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    show_keys.set_defaults(handler=cmd_keys_show)
    export_post = keys_commands.add_parser(
        "export-post", help=tr("write the post's public key file for the branch")
    )
    export_post.add_argument("--out", type=_path_text, required=True, metavar="FILE")
    export_post.set_defaults(handler=cmd_keys_export_post)

    batch = commands.add_parser("batch", help=tr("the weekly batch for the branch"))
    batch_commands = batch.add_subparsers(dest="batch_command", required=True, parser_class=_Parser)
    batch_export = batch_commands.add_parser(
        "export",
        help=tr(
            "write what is new since the last batch as one file in DIR; its path on the last line"
        ),
    )
    batch_export.add_argument("--out", type=_path_text, required=True, metavar="DIR")
    batch_export.add_argument(
        "--again",
        type=_whole_number(1, 999_999),
        metavar="SEQ",
        help=tr("write batch SEQ again, byte for byte the same"),
    )
    coordinator_option(batch_export, required=True)
    batch_export.set_defaults(handler=cmd_batch_export)
    batch_verify = batch_commands.add_parser(
        "verify", help=tr("check that a batch file is whole and whose it is (exit 1 with why not)")
    )
    batch_verify.add_argument("file", type=_path_text, metavar="FILE")
    batch_verify.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    batch_verify.set_defaults(handler=cmd_batch_verify)
    import_ack = batch_commands.add_parser(
        "import-ack", help=tr("take in the branch's acknowledgement of a batch")
    )
    import_ack.add_argument("file", type=_path_text, metavar="FILE")
    import_ack.set_defaults(handler=cmd_batch_import_ack)
    refunds = batch_commands.add_parser(
        "refunds", help=tr("dues paid for registrations the branch rejected, to pay back")
    )
    refunds.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    refunds.set_defaults(handler=cmd_batch_refunds)
    batch_list = batch_commands.add_parser("list", help=tr("this post's batches, newest first"))
    batch_list.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    batch_list.set_defaults(handler=cmd_batch_list)

    branch = commands.add_parser("branch", help=tr("the branch office: keys, posts, imports"))
    branch_commands = branch.add_subparsers(
        dest="branch_command", required=True, parser_class=_Parser
    )
    branch_init = branch_commands.add_parser(
        "init", help=tr("make the branch's keys; prints the public key file's path")
    )
    branch_init.add_argument("--code", default="CABANG", metavar="CODE")
    branch_init.add_argument("--name", default="Kantor Cabang BPJS Ketenagakerjaan", metavar="NAME")
    branch_init.add_argument(
        "--demo", action="store_true", help=tr("a training branch: demo posts only")
    )
    branch_init.set_defaults(handler=cmd_branch_init)
    branch_add = branch_commands.add_parser("add-post", help=tr("register a post's key file"))
    branch_add.add_argument("file", type=_path_text, metavar="FILE")
    branch_add.set_defaults(handler=cmd_branch_add_post)
    suspend = branch_commands.add_parser(
        "suspend-post", help=tr("refuse a post's batches until it is resumed")
    )
    suspend.add_argument("code", metavar="CODE", type=str.upper)
    suspend.add_argument("--reason", required=True)
    suspend.set_defaults(handler=cmd_branch_suspend)
    resume = branch_commands.add_parser("resume-post", help=tr("take a post's batches again"))
    resume.add_argument("code", metavar="CODE", type=str.upper)
    resume.set_defaults(handler=cmd_branch_suspend)
    branch_list = branch_commands.add_parser("posts", help=tr("the posts this branch knows"))
    branch_list.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    branch_list.set_defaults(handler=cmd_branch_posts)
    branch_import = branch_commands.add_parser(
        "import", help=tr("import batch files; writes each acknowledgement beside its batch")
    )
    branch_import.add_argument("files", type=_path_text, nargs="+", metavar="FILE")
    branch_import.add_argument(
        "--allow-gap",
        metavar="REASON",
        help=tr("import past a missing batch (the reason is recorded)"),
    )
    branch_import.set_defaults(handler=cmd_branch_import)
    conflicts = branch_commands.add_parser(
        "conflicts", help=tr("NIK conflicts between posts waiting for an officer's decision")
    )
    conflicts.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    conflicts.set_defaults(handler=cmd_branch_conflicts)
    decide = branch_commands.add_parser(
        "decide", help=tr("decide a NIK conflict: which registration stands")
    )
    decide.add_argument("id", metavar="ID", type=_count_argument)
    decide.add_argument("--keep", required=True, metavar="REGNO")
    decide.add_argument("--reason", required=True)
    decide.set_defaults(handler=cmd_branch_decide)
    branch_kpj = branch_commands.add_parser(
        "kpj-import", help=tr("store KPJ numbers from BPJS's spreadsheet (columns NIK and KPJ)")
    )
    branch_kpj.add_argument("file", type=_path_text, metavar="FILE.xlsx")
    branch_kpj.set_defaults(handler=cmd_branch_kpj_import)
    branch_export = branch_commands.add_parser(
        "export", help=tr("write registrations and dues to a spreadsheet for BPJS's systems")
    )
    branch_export.add_argument(
        "--out",
        type=_path_text,
        required=True,
        metavar="FILE.xlsx",
        help=tr("the spreadsheet file to write"),
    )
    branch_export.set_defaults(handler=cmd_branch_export)

    recover = branch_commands.add_parser(
        "recover-post",
        help=tr("re-issue a post's backup for a one-time code (prints the file, then the code)"),
    )
    recover.add_argument("file", type=_path_text, metavar="FILE")
    recover.add_argument("--out", type=_path_text, required=True, metavar="DIR")
    recover.set_defaults(handler=cmd_branch_recover_post)

    # --- updates on the stick (issue 15) ---
    sign_update = branch_commands.add_parser(
        "sign-update", help=tr("sign an installer for the posts (writes SETUP.EXE.sig beside it)")
    )
    sign_update.add_argument("file", metavar="SETUP.EXE")
    sign_update.add_argument("--version", help=tr("its version, when its name does not say"))
    sign_update.set_defaults(handler=cmd_branch_sign_update)
    update = commands.add_parser("update", help=tr("a new version of the program from the stick"))
    update_commands = update.add_subparsers(
        dest="update_command", required=True, parser_class=_Parser
    )
    update_check = update_commands.add_parser(
        "check", help=tr("whether SETUP.EXE is a newer version signed by this post's branch")
    )
    update_check.add_argument("file", metavar="SETUP.EXE")
    update_check.set_defaults(handler=cmd_update_check)
    update_install = update_commands.add_parser(
        "install", help=tr("check SETUP.EXE and install it (a coordinator)")
    )
    update_install.add_argument("file", metavar="SETUP.EXE", type=_path_text)
    coordinator_option(update_install, required=True)
    update_install.set_defaults(handler=cmd_update_install)

    backup = commands.add_parser(
        "backup", help=tr("write a backup of the post into DIR (a coordinator); its path last")
    )
    backup.add_argument("--out", type=_path_text, required=True, metavar="DIR")
    coordinator_option(backup, required=True)
    backup.set_defaults(handler=cmd_backup)
    restore = commands.add_parser(
        "restore",
        help=tr("restore the post from a backup file (the recovery code is asked, or read from "
                "stdin)"),
    )  # fmt: skip
    restore.add_argument("file", type=_path_text, metavar="FILE")
    restore.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    restore.set_defaults(handler=cmd_restore)

    search = commands.add_parser(
        "search", help=tr("find participants by NIK, name, registration number, KPJ or phone")
    )
    search.add_argument("text")
    search.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    search.set_defaults(handler=cmd_search)

    # --- accounts (issue 16, item 4) ---
    accounts_cmd = commands.add_parser("accounts", help=tr("the post's accounts"))
    accounts_commands = accounts_cmd.add_subparsers(
        dest="accounts_command", required=True, parser_class=_Parser
    )
    reset_pin = accounts_commands.add_parser(
        "reset-pin",
        help=tr(
            "a coordinator who forgot their PIN: reads the post's recovery code, then the new "
            "PIN (from stdin, one line each, when it is not a terminal)"
        ),
    )
    reset_pin.add_argument("name", metavar="NAME")
    reset_pin.set_defaults(handler=cmd_accounts_reset_pin)

    info = commands.add_parser("info", help=tr("show the post, database and version"))
    info.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    info.set_defaults(handler=cmd_info)

    area_cmd = commands.add_parser(
        "areas", help=tr("look up Kemendagri area codes (kabupaten or desa)")
    )
    area_cmd.add_argument("level", choices=["kabupaten", "desa"])
    area_cmd.add_argument("query")
    area_cmd.add_argument(
        "--kabupaten",
        metavar="CODE",
        help=tr(
            "kabupaten/kota code, e.g. 32.09 (find it with: rumah-perisai areas kabupaten NAME)"
        ),
    )
    area_cmd.add_argument("--limit", type=_whole_number(1, 1000), default=20)
    area_cmd.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    area_cmd.set_defaults(handler=cmd_areas)

    nik = commands.add_parser("nik", help=tr("check a NIK"))
    nik.add_argument("nik")
    nik.add_argument("--birth-date", type=_birth_date, metavar="YYYY-MM-DD")
    nik.add_argument("--sex", choices=["L", "P"], type=str.upper)
    nik.add_argument("--json", action="store_true", help=tr("JSON output on stdout"))
    nik.set_defaults(handler=cmd_nik)

    settings = commands.add_parser("settings", help=tr("show or change settings"))
    settings_commands = settings.add_subparsers(dest="setting", required=True, parser_class=_Parser)
    language = settings_commands.add_parser("language", help=tr("message language: id or en"))
    language.add_argument("value", nargs="?", choices=LANGUAGES)
    settings.set_defaults(handler=cmd_settings)
    return parser


# --- running -------------------------------------------------------------------------------------


def _count_argument(text: str) -> int:
    """A whole number argument of sane size (a 5,000-digit number is wrong usage, not a crash)."""
    if not text.isdigit() or len(text) > 12:
        raise argparse.ArgumentTypeError(tr("not a number: {text}", text=text[:20]))
    return int(text)


def _early_options(argv: Sequence[str]) -> argparse.Namespace:
    """``--data-dir``/``--demo`` before the full parse: they decide the language of the help.
    Mistakes are left for the full parse, which reports them as wrong usage."""
    early = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    early.add_argument("--data-dir")
    early.add_argument("--demo", action="store_true")
    try:
        known, _ = early.parse_known_args(argv)
    except (argparse.ArgumentError, SystemExit):
        known = argparse.Namespace(data_dir=None, demo=False)
    return known


def _start_logging(folder: DataFolder) -> Path:
    """Log to the data folder's log file; where that cannot be (an unwritable folder, a log
    that is a folder), to the system's temporary folder, and failing that nowhere: a command
    never fails because its log cannot be written."""
    fallback = Path(tempfile.gettempdir()) / "rumah-perisai.log"
    for log_file in (folder.log_file, fallback):
        try:
            configure_logging(log_file)
            return log_file
        except OSError:
            continue
    configure_logging(None)
    return fallback


def _not_text(values: Sequence[str]) -> str | None:
    """The first value that is not valid text: POSIX hands arguments that are not UTF-8 over
    with lone surrogates, which no file name, database or log can store."""
    for value in values:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return None


def _data_folder(early: argparse.Namespace) -> DataFolder:
    try:
        return resolve_data_folder(early.data_dir, demo=early.demo)
    except (RuntimeError, OSError) as error:  # ~user of no known user, a symlink loop
        raise UserError("data_dir_unusable", path=str(early.data_dir), reason=str(error)) from error


def main(
    argv: Sequence[str] | None = None,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run the command line; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # A GUI script on Windows has no console: its streams are None.
    out = out or sys.stdout or io.StringIO()
    err = err or sys.stderr or io.StringIO()
    stdin = stdin or sys.stdin or io.StringIO()
    log_file = Path(tempfile.gettempdir()) / "rumah-perisai.log"
    database_url = ""  # known once the command is: a busy SQLite file's folder is named
    try:
        bad_text = _not_text([*argv, *_environment_values()])
        if bad_text is not None:  # refused before a folder so named is read or made
            raise UsageError("argument_not_text", value=bad_text)
        folder = _data_folder(_early_options(argv))
        set_language(LocalSettings.load(folder).language)
        log_file = _start_logging(folder)
        args = build_parser().parse_args(argv)
        if args.command is None:
            from rumah_perisai.ui.launch import launch

            return launch(folder, resolve_database_url(folder, args.db), demo=args.demo)
        ctx = Context(args, out, err, stdin)
        database_url = ctx.database_url
        log.info("command %s", _command_name(args))  # not the OS login: it may be a name
        _require_coordinator(args)
        handler: Handler = args.handler
        return handler(args, ctx)
    except SystemExit as exit_:  # --help and --version
        return int(exit_.code or 0)
    except KeyboardInterrupt:
        print(tr("Interrupted."), file=err)
        return EXIT_REFUSED
    except Exception as error:
        # One taxonomy with the window (``errors.triage``): a refusal in one line, else a bug.
        refusal = triage(error, database_url)
        if refusal is None:
            print(tr(MESSAGES["internal_error"], log=log_file), file=err)
            return EXIT_REFUSED
        print(refusal.message(), file=err)
        return refusal.exit_code


def _environment_values() -> list[str]:
    from rumah_perisai.config import ENV_DB, ENV_HOME

    return [os.environ.get(name, "") for name in (ENV_HOME, ENV_DB)]


def _command_name(args: argparse.Namespace) -> str:
    """``batch export``, not just ``batch``: which subcommand ran, for whoever reads the log."""
    parts = [args.command]
    for name in ("card_command", "receipts_command", "keys_command", "batch_command",
                 "branch_command", "update_command", "accounts_command",
                 "setting"):  # fmt: skip
        if getattr(args, name, None) is not None:
            parts.append(getattr(args, name))
    return " ".join(parts)


def gui_main() -> None:
    """Entry point for desktop shortcuts: the window; errors go to dialogs, not a console."""
    sys.exit(main(sys.argv[1:]))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


__all__ = ["EXIT_OK", "EXIT_REFUSED", "EXIT_USAGE", "build_parser", "gui_main", "main"]
