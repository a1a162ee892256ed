"""What scripts outside the program use keeps working where it always was (issue 18).

The rooms moved (the branch, the keys, the command line, the demo, the documents); these names are
the ones posts' and branches' own scripts import, so they stay importable at their old addresses,
re-exported where the code moved. A script run in a fresh interpreter imports each by its
documented path and uses it the way such a script does.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PUBLIC = {
    "rumah_perisai.app": ["open_app"],
    "rumah_perisai.config": ["DataFolder"],
    "rumah_perisai.services.registration": ["register", "RegistrationForm"],
    "rumah_perisai.services.volunteers": ["log_in"],
    "rumah_perisai.keys": ["load_post_key"],
    "rumah_perisai.domain.card_payload": ["CardPayload", "encode_card"],
    "rumah_perisai.services.demo": ["DemoRequest", "create_demo_post"],
    # The domain's functions: the rules themselves, pure and unmoved.
    "rumah_perisai.domain.nik": ["normalize_nik", "validate_nik", "mask_nik"],
    "rumah_perisai.domain.coverage": ["status_on", "summarize", "next_payable_months"],
    "rumah_perisai.domain.dues": ["monthly_dues", "price_month", "income_brackets"],
    "rumah_perisai.domain.promotion": ["promotion_cover", "campaign_on"],
    "rumah_perisai.domain.names": ["normalize_name", "name_similarity", "likely_same_person"],
    "rumah_perisai.domain.months": ["add_months", "months_between", "first_of_month"],
    "rumah_perisai.domain.receipts": ["receipt_number", "chain_hash"],
    "rumah_perisai.domain.incentives": ["scheme_for_month", "month_incentive"],
    "rumah_perisai.domain.working_age": ["age_on", "check_working_age"],
}


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_a_scripts_import_still_finds_its_names(module: str) -> None:
    names = ", ".join(PUBLIC[module])
    code = f"from {module} import {names}\nprint('ok')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr[-400:]


@pytest.mark.slow
def test_a_script_opens_a_post_registers_and_signs_a_card(tmp_path: Path) -> None:
    """The old addresses do the old work: a post opened, an account logged in, a walk-in
    registered, the post's key loaded and a card payload signed with it."""
    code = f"""
from pathlib import Path
from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.keys import load_post_key
from rumah_perisai.services.demo import DemoRequest, create_demo_post
from rumah_perisai.services.registration import RegistrationForm, register
from rumah_perisai.services.volunteers import log_in

folder = DataFolder(Path({str(tmp_path / "post")!r}))
with open_app(folder, folder.sqlite_url) as app:
    create_demo_post(app.db, app.folder, DemoRequest(20, seed=3), "script")
    actor = log_in(app.db, "Euis Komalasari", "1357")
    key = load_post_key(folder.keys)
    print(type(key).__name__, actor.is_coordinator, callable(register), RegistrationForm.__name__)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-800:]
    assert done.stdout.split() == ["Ed25519PrivateKey", "True", "True", "RegistrationForm"]
