"""New versions of the program that travel on the stick (no post has internet).

The branch signs an installer it puts on the stick beside an acknowledgement
(``branch sign-update SETUP.EXE`` writes ``SETUP.EXE.sig``); the post checks that signature
against the branch key it has installed before anything runs (``update check``), and a
coordinator starts the installer (``update install``, or the batches page). The signature file
is a small JSON signed by the branch's Ed25519 key, like the acknowledgement; its format is in
``docs/updates.md``.

An installer is refused when it has no signature beside it, when its bytes are not the ones
signed (altered, truncated), when another branch signed it, or when it is not newer than the
program running. Nothing here changes the database: a refusal leaves everything as it was.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from rumah_perisai import __version__
from rumah_perisai.db.uow import Database
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.canonical import b64, canonical_json, unb64
from rumah_perisai.keys.files import BranchPublicKey
from rumah_perisai.keys.installed import installed_branch_key
from rumah_perisai.services.volunteers import Actor

log = logging.getLogger(__name__)

UPDATE_FORMAT = "rumah-perisai-update"
UPDATE_VERSION = 1
SIG_SUFFIX = ".sig"
PLATFORM = "windows-x86_64"
INSTALLER_NAME = re.compile(r"^RumahPerisai-(?P<version>\d+(?:\.\d+){1,3})-setup\.exe$", re.I)
UPDATES_FOLDER = "updates"
_CHUNK = 1 << 20

Launcher = Callable[[Sequence[str]], None]


@dataclass(frozen=True)
class Update:
    """A genuine installer, newer than this program, signed by this post's branch."""

    path: Path
    version: str
    sha256: str
    size: int
    branch: str  # the branch's code


@dataclass(frozen=True)
class Found:
    """What lies beside an acknowledgement: an update to offer, or why the one there is not."""

    update: Update | None = None
    refused: str | None = None  # the one-line refusal for an installer that is there


def signature_path(installer: Path) -> Path:
    return installer.with_name(installer.name + SIG_SUFFIX)


def version_key(version: str) -> tuple[int, ...]:
    """``"0.10.2"`` as ``(0, 10, 2)``, so versions compare as numbers; ValueError otherwise."""
    if not re.fullmatch(r"\d+(\.\d+){0,3}", version):
        raise ValueError(f"not a version: {version!r}")
    return tuple(int(part) for part in version.split("."))


def file_digest(path: Path) -> tuple[str, int]:
    """The file's SHA-256 (hex) and size, read in chunks (an installer is tens of MB)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


# --- the branch: sign -------------------------------------------------------------------------


def sign_update(
    installer: Path,
    branch: BranchPublicKey,
    signer: Ed25519PrivateKey,
    *,
    version: str | None = None,
    now: datetime | None = None,
) -> Path:
    """Write ``installer``'s signature file beside it; returns its path.

    The version is read from the installer's name (``RumahPerisai-<version>-setup.exe``) unless
    given; it is signed, so renaming the file later changes nothing a post believes."""
    version = version or _version_from_name(installer.name)
    try:
        version_key(version)
    except ValueError as error:
        raise UserError("update_version_bad", name=installer.name) from error
    try:
        sha256, size = file_digest(installer)
    except OSError as error:
        raise UserError("update_unreadable", name=installer.name, reason=str(error)) from error
    content = {
        "format": UPDATE_FORMAT,
        "version": UPDATE_VERSION,
        "file": {"name": installer.name, "sha256": sha256, "size": size},
        "program": {"version": version, "platform": PLATFORM},
        "branch": {"code": branch.code, "name": branch.name, "fingerprint": branch.fingerprint},
        "demo": branch.demo,
        "signed_at": (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    signed = dict(content, signature=b64(signer.sign(canonical_json(content))))
    path = signature_path(installer)
    temporary = path.with_name(path.name + ".partial")
    temporary.write_text(json.dumps(signed, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return path


def _version_from_name(name: str) -> str:
    match = INSTALLER_NAME.match(name)
    if match is None:
        raise UserError("update_version_bad", name=name)
    return match["version"]


# --- the post: check ----------------------------------------------------------------------------


def check_update(db: Database, installer: Path, *, running: str = __version__) -> Update:
    """The update in ``installer``, or ``UserError`` saying in one line why it is refused."""
    branch = installed_branch_key(db)
    if branch is None:
        raise UserError("update_no_branch_key")
    return verify_update(installer, branch, running=running)


def verify_update(installer: Path, branch: BranchPublicKey, *, running: str) -> Update:
    name = installer.name
    if not installer.is_file():
        raise UserError("update_missing", name=name)
    content = _read_signature(installer, branch)
    try:
        sha256, size = file_digest(installer)
    except OSError as error:
        raise UserError("update_unreadable", name=name, reason=str(error)) from error
    signed_file = content["file"]
    if sha256 != signed_file.get("sha256") or size != signed_file.get("size"):
        raise UserError("update_altered", name=name)
    version = str(content["program"].get("version", ""))
    if content["program"].get("platform") != PLATFORM:
        raise UserError("update_bad", name=name, reason="platform")
    try:
        newer = version_key(version) > version_key(running)
    except ValueError as error:
        raise UserError("update_bad", name=name, reason="version") from error
    if not newer:
        raise UserError("update_not_newer", name=name, version=version, running=running)
    return Update(installer, version, sha256, size, str(content["branch"].get("code", "")))


def _read_signature(installer: Path, branch: BranchPublicKey) -> dict[str, Any]:
    """The signed content of ``installer``'s signature file, checked against the branch key."""
    name = installer.name
    try:
        data = signature_path(installer).read_bytes()
    except FileNotFoundError as error:
        raise UserError("update_unsigned", name=name) from error
    except OSError as error:
        raise UserError("update_unreadable", name=name, reason=str(error)) from error
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UserError("update_bad", name=name, reason="not JSON") from error
    if not isinstance(document, dict) or document.get("format") != UPDATE_FORMAT:
        raise UserError("update_bad", name=name, reason="not an update signature")
    if document.get("version") != UPDATE_VERSION:
        raise UserError("update_bad", name=name, reason=f"version {document.get('version')}")
    content = {key: value for key, value in document.items() if key != "signature"}
    try:
        signature = unb64(document.get("signature"), 64)
        Ed25519PublicKey.from_public_bytes(branch.signing_key).verify(
            signature, canonical_json(content)
        )
    except (ValueError, InvalidSignature) as error:
        claimed = (content.get("branch") or {}).get("fingerprint")
        if claimed != branch.fingerprint:
            code = (content.get("branch") or {}).get("code", "?")
            raise UserError("update_other_branch", name=name, branch=code) from error
        raise UserError("update_altered", name=name) from error
    if not all(isinstance(content.get(part), dict) for part in ("file", "program", "branch")):
        raise UserError("update_bad", name=name, reason="content")
    return content


def update_beside(db: Database, ack_path: Path, *, running: str = __version__) -> Found:
    """The newest installer in the acknowledgement's folder that passes ``check_update``; else
    the refusal of the newest one there (so the page can say why), or nothing at all."""
    folder = ack_path.parent
    try:
        candidates = sorted(
            (path for path in folder.iterdir() if INSTALLER_NAME.match(path.name)),
            key=lambda path: version_key(_version_from_name(path.name)),
            reverse=True,
        )
    except OSError:
        return Found()
    refusal: str | None = None
    for path in candidates:
        try:
            return Found(update=check_update(db, path, running=running))
        except UserError as error:
            if error.key != "update_not_newer":
                refusal = refusal or error.message()
    return Found(refused=refusal)


# --- the post: install --------------------------------------------------------------------------


def install_update(
    db: Database,
    data_root: Path,
    installer: Path,
    actor: Actor,
    *,
    running: str = __version__,
    launch: Launcher | None = None,
) -> Update:
    """Check ``installer`` again, copy it off the stick into the data folder, check the copy
    (the stick may change or go away), and start the copy silently: ``/S /RUN``, so it waits
    for this program to close, replaces it and opens the new version. The caller exits at once.
    Coordinators only."""
    if not actor.is_coordinator:
        raise UserError("update_coordinator")
    update = check_update(db, installer, running=running)
    target = data_root / UPDATES_FOLDER
    try:
        target.mkdir(parents=True, exist_ok=True)
        copy = target / installer.name
        shutil.copy(installer, copy)  # with its mode: the copy is what runs
        shutil.copyfile(signature_path(installer), signature_path(copy))
    except OSError as error:
        raise UserError("update_unreadable", name=installer.name, reason=str(error)) from error
    checked = check_update(db, copy, running=running)
    if checked.sha256 != update.sha256:
        raise UserError("update_altered", name=installer.name)
    # Not who started it: an actor's label carries a person's name, which the log never does.
    log.info("update %s (%s) started", checked.version, checked.sha256[:16])
    (launch or launch_detached)([str(copy), "/S", "/RUN"])
    return checked


def launch_detached(command: Sequence[str]) -> None:
    """Start the installer as a process of its own that outlives this one."""
    options: dict[str, Any] = {"close_fds": True}
    if sys.platform == "win32":
        flags = subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP
        options["creationflags"] = flags
    else:
        options["start_new_session"] = True
    try:
        subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            **options,
        )
    except OSError as error:
        raise UserError("update_launch_failed", reason=str(error)) from error
