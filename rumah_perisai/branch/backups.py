"""The branch's side of the posts' backups (issue 16).

* ``keep_backups_beside``: a stick brought to the branch carries, beside the post's batch, the
  post's encrypted full backup. ``branch import`` keeps the newest backup of each post in the
  branch's data folder (``post-backups/<POSTCODE>/``, newest by the header's ``created_at``),
  after checking it whole and signed by the key the branch registered for that post. It is never
  decrypted: the branch could unwrap its key, but has no reason to until a post asks.
* ``recover_post``: a post whose recovery code is lost asks the branch. With the branch's private
  X25519 key the database key is unwrapped from the header's branch wrap, and a new file is
  written whose recovery wrap is for a fresh **one-time code**; its header is signed by the
  branch (Ed25519), the content unchanged byte for byte. ``restore`` accepts it when the branch
  that signed it is the one the restored post itself had installed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from rumah_perisai import vault
from rumah_perisai.branch.folder import branch_keys
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import Post
from rumah_perisai.db.uow import Database
from rumah_perisai.errors import UserError
from rumah_perisai.exchange import safe_write
from rumah_perisai.exchange.backupfile import (
    BackupHeader,
    backup_file_name,
    branch_signer,
    decrypt_content,
    parse_name,
    read_header,
    sign_header_again,
)

log = logging.getLogger(__name__)

KEPT_FOLDER = "post-backups"


@dataclass(frozen=True)
class KeptBackup:
    """What became of one backup found beside the batches."""

    file: Path
    post_code: str | None
    kept: Path | None  # where the branch keeps it now; None: refused or not newer
    refusal: UserError | None = None

    @property
    def newer_kept(self) -> bool:
        return self.kept is not None


def backups_beside(paths: Sequence[Path]) -> list[Path]:
    """The backup files in the folders the given batch files are in."""
    found: list[Path] = []
    for directory in sorted({path.parent for path in paths}):
        with contextlib.suppress(OSError):
            found += sorted(p for p in directory.iterdir() if parse_name(p) is not None)
    return found


def keep_backups_beside(
    db: Database, folder: DataFolder, paths: Sequence[Path]
) -> list[KeptBackup]:
    """Keep the newest backup of each post found beside the batches; a file that is not a
    whole backup of a known post, signed with its registered key, is refused on its own (the
    batches are imported all the same)."""
    results = []
    for path in backups_beside(paths):
        try:
            results.append(_keep(db, folder, path))
        except UserError as error:
            log.info("backup beside a batch refused: %s", error.key)
            results.append(KeptBackup(path, None, None, error))
    return results


def _suspended(db: Database, post_code: str) -> bool:
    with db.reading() as session:
        post = session.scalars(select(Post).where(Post.code == post_code)).first()
        return post is not None and post.suspended_at is not None


def _checked(db: Database, path: Path) -> BackupHeader:
    header = read_header(path)
    with db.reading() as session:
        post = session.scalars(select(Post).where(Post.code == header.post_code)).first()
        if post is None or post.is_local:
            raise UserError("backup_post_unknown", name=path.name, post=header.post_code)
        registered = bytes(post.signing_public_key)
    if header.post_key != registered or header.recovered:
        raise UserError("backup_wrong_post_key", name=path.name, post=header.post_code)
    return header


def kept_folder(folder: DataFolder, post_code: str) -> Path:
    return folder.root / KEPT_FOLDER / post_code


def newest_kept(folder: DataFolder, post_code: str) -> BackupHeader | None:
    directory = kept_folder(folder, post_code)
    newest: BackupHeader | None = None
    if not directory.is_dir():
        return None
    for path in directory.iterdir():
        if parse_name(path) is None:
            continue
        try:
            header = read_header(path)
        except UserError:
            continue
        if newest is None or header.created_at > newest.created_at:
            newest = header
    return newest


def _keep(db: Database, folder: DataFolder, path: Path) -> KeptBackup:
    header = _checked(db, path)
    if _suspended(db, header.post_code):
        # A suspended post's laptop may be in a thief's hands, its key with it: what it sends
        # now must not push the post's last good backup out (its batch is refused and says so).
        return KeptBackup(path, header.post_code, None)
    current = newest_kept(folder, header.post_code)
    if current is not None and current.created_at >= header.created_at:
        return KeptBackup(path, header.post_code, None)
    directory = kept_folder(folder, header.post_code)
    directory.mkdir(parents=True, exist_ok=True)
    name = backup_file_name(header.post_code, header.created_at, header.kind)
    kept = _copy_checked(path, directory, name)
    for other in directory.iterdir():  # only the newest of each post is kept
        if other != kept and parse_name(other) is not None:
            with contextlib.suppress(OSError):
                other.unlink()
    return KeptBackup(path, header.post_code, kept)


def _copy_checked(source: Path, directory: Path, name: str) -> Path:
    temporary = directory / safe_write.partial_name(name)
    try:
        try:
            with source.open("rb") as reader, temporary.open("wb") as writer:
                shutil.copyfileobj(reader, writer, 1 << 20)
                writer.flush()
                os.fsync(writer.fileno())
        except OSError as error:
            raise safe_write.write_failed(directory, error, computer=True) from error
        read_header(temporary)
        os.replace(temporary, directory / name)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    return directory / name


# --- recovering a post whose code is lost --------------------------------------------------------


@dataclass(frozen=True)
class Recovered:
    path: Path
    one_time_code: str


def recover_post(db: Database, folder: DataFolder, path: Path, out_dir: Path) -> Recovered:
    """A copy of the backup ``path`` the post can restore with a fresh one-time code."""
    keys = branch_keys(folder)
    if not out_dir.is_dir():
        raise UserError("backup_out_missing", path=str(out_dir))
    header = _checked_for_recovery(db, path, keys.public.signing_key)
    key = vault.unlock_as_branch(header.wraps, keys.encryption)
    decrypt_content(header, key, None)  # the content opens with it: checked, never written
    code = vault.new_recovery_code()
    new_header = dict(header.header)
    new_header["wraps"] = vault.rewrap_record(header.wraps, key, code)
    new_header["signer"] = branch_signer(keys.public.code, keys.signing)
    name = backup_file_name(header.post_code, header.created_at, header.kind)
    final = out_dir.resolve() / name
    if final.exists():
        raise UserError("out_exists", path=str(final))
    temporary = final.with_name(safe_write.partial_name(name))
    try:
        try:
            with temporary.open("wb") as writer:
                for piece in sign_header_again(path, header, new_header, keys.signing):
                    writer.write(piece)
                writer.flush()
                os.fsync(writer.fileno())
        except OSError as error:
            raise safe_write.write_failed(out_dir, error) from error
        decrypt_content(read_header(temporary), key, None)
        os.replace(temporary, final)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    log.info("backup of post %s re-issued with a one-time code", header.post_code)
    return Recovered(final, code)


def _checked_for_recovery(db: Database, path: Path, own_signing_key: bytes) -> BackupHeader:
    """A post's own backup (its registered key), or one this branch re-issued before."""
    header = read_header(path)
    if header.recovered:
        from rumah_perisai.exchange.canonical import unb64

        if unb64(header.signer.get("signing_key"), 32) != own_signing_key:
            raise UserError("backup_wrong_post_key", name=path.name, post=header.post_code)
        return header
    return _checked(db, path)
