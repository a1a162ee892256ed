"""The post's signing key: made once, private to the data folder, never replaced."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from rumah_perisai import keys
from rumah_perisai.app import App
from rumah_perisai.errors import UserError
from rumah_perisai.services.posts import PostSetup, PostSummary, post_summary, set_up_post


def test_the_post_key_signs_and_its_public_half_is_in_the_database(
    app: App, post: PostSummary
) -> None:
    private = keys.load_post_key(app.folder.keys)
    public = keys.public_bytes(private)
    assert keys.fingerprint(public) == post.key_fingerprint
    Ed25519PublicKey.from_public_bytes(public).verify(private.sign(b"kartu"), b"kartu")
    assert len(keys.format_fingerprint(post.key_fingerprint).split()) == 8


def test_an_existing_key_is_never_overwritten(tmp_path: Path) -> None:
    keys.create_post_key(tmp_path)
    before = keys.post_key_path(tmp_path).read_bytes()
    with pytest.raises(UserError) as refused:
        keys.create_post_key(tmp_path)
    assert refused.value.key == "key_exists"
    assert keys.post_key_path(tmp_path).read_bytes() == before


def test_a_set_up_cut_short_after_the_key_adopts_that_key(app: App) -> None:
    """Power lost between writing the key and committing the post: the next init finishes."""
    orphan = keys.create_post_key(app.folder.keys)
    summary = set_up_post(
        app.db, app.folder, PostSetup("RP5171B", "Pos Denpasar", "51.71"), "cli:test"
    )
    assert summary.key_fingerprint == keys.fingerprint(keys.public_bytes(orphan))
    assert summary.timezone == "WITA"
    assert summary.recovery_code is not None  # shown once, never stored in clear
    assert post_summary(app.db) == replace(summary, recovery_code=None)
