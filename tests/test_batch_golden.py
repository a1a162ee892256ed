"""The batch format stays put (``docs/batch-format.md``): golden files, golden key files, and the
doc's own example and column lists checked against the code.

``tests/data/batch/`` holds fixed keys, a fixed manifest and fixed parts, and the batch and key
files written from them (``make_golden.py``). If the writer no longer reproduces them byte for
byte, the format changed: raise ``VERSION`` in ``rumah_perisai/exchange/batchfile.py`` and make
new golden files (``make_golden.py`` says how).

Run as a script, this prints the doc's column lists from the models::

    .venv/bin/python tests/test_batch_golden.py
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import re
import subprocess
import sys
import zlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from rumah_perisai.exchange.batchfile import (
    VERSION,
    BatchFileError,
    PlainPart,
    decrypt_parts,
    open_batch,
    seal,
)
from rumah_perisai.exchange.canonical import b64
from rumah_perisai.keys import format_fingerprint
from rumah_perisai.keys.files import (
    branch_key_file,
    post_key_file,
    read_branch_key_file,
    read_post_key_file,
)

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "data" / "batch"
DOC = ROOT / "docs" / "batch-format.md"
BATCH = "golden-0001.rpb"

# What the golden files are: fixed here, not read from make_golden.py, so an edit there shows.
POST_FINGERPRINT = "10e360ee830e73f6789af447636f545df04e056d99ef57dc0c83595ead08a9f1"
BRANCH_FINGERPRINT = "153727764a160a11c2872a1871eaa70e1e46e68d4f1eed69d3e4ddc9973b3b59"


def _private(name: str) -> Any:
    return serialization.load_pem_private_key((GOLDEN / name).read_bytes(), password=None)


def _post_key() -> Ed25519PrivateKey:
    key = _private("post-signing-ed25519.pem")
    assert isinstance(key, Ed25519PrivateKey)
    return key


def _branch_private() -> X25519PrivateKey:
    key = _private("branch-encryption-x25519.pem")
    assert isinstance(key, X25519PrivateKey)
    return key


def _golden() -> bytes:
    return (GOLDEN / BATCH).read_bytes()


def _expected_manifest() -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((GOLDEN / "golden-0001-manifest.json").read_bytes())
    return manifest


def _expected_parts() -> list[PlainPart]:
    """The parts in order, from ``golden-0001-parts/<n>-<name>.json``."""
    files = sorted(
        (GOLDEN / "golden-0001-parts").glob("*.json"), key=lambda p: int(p.name.split("-")[0])
    )
    parts = []
    for path in files:
        data = path.read_bytes()
        name = path.stem.split("-", 1)[1]
        assert json.loads(data)["table"] == name
        parts.append(PlainPart(name, len(json.loads(data)["rows"]), data))
    return parts


def _manifest_input() -> dict[str, Any]:
    """The manifest as the post hands it to ``seal``: without what ``seal`` fills in."""
    full = _expected_manifest()
    manifest = {
        k: v
        for k, v in full.items()
        if k not in ("format", "version", "parts", "compression", "encryption")
    }
    manifest["post"] = {k: full["post"][k] for k in ("code", "name")}
    return manifest


def _compressed_parts(data: bytes) -> list[bytes]:
    """The golden file's parts as zlib wrote them (decrypted, not yet decompressed)."""
    sealed = open_batch(data, BATCH)
    encryption = sealed.manifest["encryption"]
    branch = read_branch_key_file((GOLDEN / "golden-branch-key.json").read_bytes())
    ephemeral = _private("batch-ephemeral-x25519.pem").public_key().public_bytes_raw()
    assert b64(ephemeral) == encryption["ephemeral_key"]
    shared = _branch_private().exchange(X25519PublicKey.from_public_bytes(ephemeral))
    info = b"rumah-perisai-batch/1 parts" + ephemeral + branch.encryption_key
    aead = AESGCM(HKDF(hashes.SHA256(), 32, None, info).derive(shared))
    return [
        aead.decrypt(
            i.to_bytes(12, "big"),
            data[p.offset : p.offset + p.size],
            f"rumah-perisai-batch/1|{sealed.post_code}|{sealed.seq}|{p.name}".encode(),
        )
        for i, p in enumerate(sealed.parts)
    ]


# --- the format ----------------------------------------------------------------------------------


def test_the_writer_reproduces_the_golden_file_byte_for_byte() -> None:
    branch = read_branch_key_file((GOLDEN / "golden-branch-key.json").read_bytes())
    ephemeral = _private("batch-ephemeral-x25519.pem")
    written = seal(
        _manifest_input(),
        _expected_parts(),
        post_key=_post_key(),
        branch=branch,
        ephemeral=ephemeral,
    )
    if written != _golden():
        golden = _compressed_parts(_golden())
        if [zlib.compress(p.data, 6) for p in _expected_parts()] != golden:
            pytest.skip(f"this zlib ({zlib.ZLIB_RUNTIME_VERSION}) compresses differently")
    assert written == _golden(), (
        "The batch writer no longer writes the golden file: the format changed. Raise VERSION "
        "in rumah_perisai/exchange/batchfile.py and make new golden files "
        "(tests/data/batch/make_golden.py)."
    )


def test_the_reader_opens_the_golden_file_and_the_branch_decrypts_it() -> None:
    assert VERSION == 1, "a new format version needs new golden files (make_golden.py)"
    sealed = open_batch(_golden(), BATCH)
    assert sealed.manifest == _expected_manifest()
    assert sealed.post_code == "RP3209A" and sealed.seq == 1
    assert sealed.post_key == _post_key().public_key().public_bytes_raw()
    branch = read_branch_key_file((GOLDEN / "golden-branch-key.json").read_bytes())
    plain = decrypt_parts(sealed, branch, _branch_private(), BATCH)
    expected = _expected_parts()
    assert list(plain) == [p.name for p in expected]
    assert plain == {p.name: p.data for p in expected}
    assert [(p.name, p.records) for p in sealed.parts] == [(p.name, p.records) for p in expected]
    # The zlib streams themselves are ordinary: any zlib reads them.
    assert [zlib.decompress(c) for c in _compressed_parts(_golden())] == [p.data for p in expected]


def test_the_golden_key_files_read_back_and_reproduce() -> None:
    branch_file = (GOLDEN / "golden-branch-key.json").read_bytes()
    post_file = (GOLDEN / "golden-post-key.json").read_bytes()
    branch = read_branch_key_file(branch_file)
    post = read_post_key_file(post_file)
    branch_signing = _private("branch-signing-ed25519.pem")
    assert branch.fingerprint == BRANCH_FINGERPRINT
    assert post.fingerprint == POST_FINGERPRINT
    assert branch.encryption_key == _branch_private().public_key().public_bytes_raw()
    assert branch.signing_key == branch_signing.public_key().public_bytes_raw()
    assert hashlib.sha256(branch.encryption_key + branch.signing_key).hexdigest() == (
        BRANCH_FINGERPRINT
    )
    assert hashlib.sha256(post.signing_key).hexdigest() == POST_FINGERPRINT
    assert (branch.code, branch.name, branch.demo) == ("LATIH-CRB", "Cabang Latihan Cirebon", True)
    assert (post.code, post.kabupaten_code, post.timezone, post.demo) == (
        "RP3209A",
        "32.09",
        "WIB",
        True,
    )
    assert branch_key_file(branch, branch_signing) == branch_file
    assert post_key_file(post, _post_key()) == post_file
    # The batch names the same keys.
    manifest = _expected_manifest()
    assert manifest["post"]["key_fingerprint"] == POST_FINGERPRINT
    assert manifest["encryption"]["branch_key_fingerprint"] == BRANCH_FINGERPRINT


def _maker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_golden", GOLDEN / "make_golden.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generator_still_makes_exactly_the_golden_files() -> None:
    files: dict[str, bytes] = _maker().build()
    on_disk = {
        p.relative_to(GOLDEN).as_posix()
        for p in GOLDEN.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert on_disk - {"README.md", "make_golden.py"} == set(files)
    for name, data in files.items():
        if name == BATCH and data != _golden():
            pytest.skip(f"this zlib ({zlib.ZLIB_RUNTIME_VERSION}) compresses differently")
        assert (GOLDEN / name).read_bytes() == data, name


# --- the doc -------------------------------------------------------------------------------------


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _example() -> str:
    (code,) = re.findall(r"```python\n(.*?)```", _doc(), flags=re.DOTALL)
    return str(code)


@functools.cache
def _example_module() -> dict[str, Any]:
    """The doc's example, run once (its ``BadBatch`` is then one class throughout)."""
    namespace: dict[str, Any] = {"__name__": "batch_format_example"}
    exec(compile(_example(), str(DOC), "exec"), namespace)
    return namespace


def _example_read(data: bytes, **changes: Any) -> tuple[dict[str, Any], dict[str, bytes]]:
    example = _example_module()
    arguments = {
        "post_key": read_post_key_file((GOLDEN / "golden-post-key.json").read_bytes()).signing_key,
        "branch_key": json.loads((GOLDEN / "golden-branch-key.json").read_bytes()),
        "branch_private": _branch_private(),
    }
    arguments.update(changes)
    result: tuple[dict[str, Any], dict[str, bytes]] = example["read_batch"](data, **arguments)
    return result


def test_the_example_in_the_doc_checks_and_decrypts_the_golden_file() -> None:
    manifest, parts = _example_read(_golden())
    assert manifest == _expected_manifest()
    assert parts == {p.name: p.data for p in _expected_parts()}


def _flip(data: bytes, position: int) -> bytes:
    changed = bytearray(data)
    changed[position] ^= 0x01
    return bytes(changed)


def test_the_example_refuses_what_the_reader_refuses() -> None:
    data = _golden()
    bad = _example_module()["BadBatch"]
    sealed = open_batch(data, BATCH)
    cases = {
        "not a batch": b"PK\x03\x04" + data[4:],
        "newer": data.replace(b"BATCH/1\n", b"BATCH/2\n", 1),
        "truncated": data[:-1],
        "extra": data + b"\0",
        "changed": _flip(data, sealed.parts[1].offset + 3),
        "signature": data[:-64] + bytes(64),
    }
    for what, damaged in cases.items():
        with pytest.raises(BatchFileError):
            open_batch(damaged, BATCH)
        with pytest.raises(bad):
            _example_read(damaged)
            pytest.fail(f"the example read a file that is {what}")
    other_post = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    with pytest.raises(bad, match="another key"):
        _example_read(data, post_key=other_post)
    other_branch = json.loads((GOLDEN / "golden-branch-key.json").read_bytes())
    other_branch["encryption_key"] = b64(
        X25519PrivateKey.generate().public_key().public_bytes_raw()
    )
    with pytest.raises(bad, match="another branch"):
        _example_read(data, branch_key=other_branch)


def test_the_example_runs_as_a_script(tmp_path: Path) -> None:
    script = tmp_path / "read_batch.py"
    script.write_text(_example(), encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            str(script),
            str(GOLDEN / BATCH),
            str(GOLDEN / "golden-post-key.json"),
            str(GOLDEN / "golden-branch-key.json"),
            str(GOLDEN / "branch-encryption-x25519.pem"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (shown,) = re.findall(r"```\n\$ python read_batch\.py [^\n]*\n(.*?)```", _doc(), re.DOTALL)
    assert done.stdout == shown
    assert "participants: 2 records" in done.stdout


def test_the_doc_shows_the_golden_fingerprints_and_hash() -> None:
    doc = _doc()
    assert format_fingerprint(POST_FINGERPRINT) in doc
    assert format_fingerprint(BRANCH_FINGERPRINT) in doc
    assert hashlib.sha256(_golden()).hexdigest() in doc


def parts_markdown() -> str:
    """The doc's column lists, from the models and ``services.batches`` (what a batch carries)."""
    from sqlalchemy import BigInteger, Boolean, Date, Integer, LargeBinary, String, Text

    from rumah_perisai.db.models import AuditEntry
    from rumah_perisai.db.types import UTCDateTime
    from rumah_perisai.services.batches import AUDIT_PART, CARRIED, _carried_columns

    kinds = [
        (UTCDateTime, "moment"),
        (Date, "date"),
        (Boolean, "0 or 1"),
        (LargeBinary, "base64"),
        (Integer, "integer"),
        (BigInteger, "integer"),
        (String, "text"),
        (Text, "text"),
    ]
    out = []
    for name, model in [*CARRIED, (AUDIT_PART, AuditEntry)]:
        table = model.__table__
        sent = _carried_columns(name, table)
        left = [c.name for c in table.columns if c not in sent]
        out.append(f"#### `{name}`\n")
        if left:
            out.append(f"Not sent: {', '.join(f'`{c}`' for c in left)}.\n")
        out.append("| column | value |\n|---|---|")
        for column in sent:
            kind = next(k for t, k in kinds if isinstance(column.type, t))
            out.append(f"| `{column.name}` | {kind}{' or null' if column.nullable else ''} |")
        out.append("")
    return "\n".join(out)


def test_the_doc_lists_the_columns_the_models_have() -> None:
    doc = _doc()
    start = doc.index("<!-- columns: generated")
    end = doc.index("<!-- end of columns -->")
    listed = doc[start:end].split("-->\n", 1)[1].strip()
    assert listed == parts_markdown().strip(), (
        "The parts' columns changed: paste the output of "
        "`.venv/bin/python tests/test_batch_golden.py` into docs/batch-format.md"
    )


if __name__ == "__main__":
    print(parts_markdown())
