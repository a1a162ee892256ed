"""Take the PIN screenshots in this folder (issue 16, item 4), as a post's laptop shows them:
1366×768 at 125%.

    QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=1.25 .venv/bin/python docs/screenshots/pins.py

A throwaway post is set up under /tmp (its key file there too, never in the user's key store)
with a coordinator, Dewi Lestari, whose PIN follows the rule, and a volunteer, Ujang Hidayat,
whose 4-digit PIN was made before it. ``login-locked.png``: Dewi's name and 5 wrong PINs, the
window saying how long to wait. ``pin-change.png``: Ujang logs in with his old PIN and is asked
for a new one, the first typed. With ``--all`` also ``pin-forgot.png`` (*Lupa PIN?*) and
``accounts-lockouts.png`` (the coordinator's list).
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

TEMP = Path(tempfile.mkdtemp(prefix="rp-pins-"))
os.environ["RUMAH_PERISAI_KEY_DIR"] = str(TEMP / "keys")  # before the vault is imported
os.environ["RUMAH_PERISAI_KEY_STORE"] = "file"

from argon2 import PasswordHasher  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from rumah_perisai.app import App, open_app  # noqa: E402
from rumah_perisai.config import DataFolder  # noqa: E402
from rumah_perisai.errors import UserError  # noqa: E402
from rumah_perisai.services.posts import PostSetup, set_up_post, the_post  # noqa: E402
from rumah_perisai.services.volunteers import (  # noqa: E402
    ROLE_COORDINATOR,
    ROLE_VOLUNTEER,
    AccountSetup,
    Actor,
    add_account,
    create_account,
    log_in,
)
from rumah_perisai.ui.accounts_dialog import AccountsDialog  # noqa: E402
from rumah_perisai.ui.login import LoginDialog  # noqa: E402

OUT = Path(__file__).resolve().parent


def grab(widget: QWidget, name: str) -> None:
    QApplication.processEvents()
    QTest.qWait(300)
    widget.grab().save(str(OUT / name))
    print(OUT / name, widget.width(), widget.height())


def post() -> tuple[App, str, Actor]:
    folder = DataFolder(TEMP / "post")
    app = open_app(folder, folder.sqlite_url)
    setup = PostSetup(code="RP3209A", name="Rumah Perisai Suranenggala", kabupaten_code="32.09")
    summary = set_up_post(app.db, folder, setup, "cli:screenshots")
    create_account(app.db, AccountSetup("Dewi Lestari", "482913"), ROLE_COORDINATOR, None)
    dewi = log_in(app.db, "Dewi Lestari", "482913")
    with app.db.unit_of_work(dewi.label) as session:  # as an older version made it
        ujang = add_account(
            session, the_post(session), AccountSetup("Ujang Hidayat", "570264"), ROLE_VOLUNTEER
        )
        ujang.pin_hash = PasswordHasher().hash("2468")
    assert summary.recovery_code is not None
    return app, summary.recovery_code, dewi


def _dialog(app: App) -> LoginDialog:
    dialog = LoginDialog(app.db, folder=app.folder)
    dialog.show()
    QTest.qWaitForWindowExposed(dialog)
    return dialog


def login_locked(app: App) -> None:
    dialog = _dialog(app)
    dialog.name.setCurrentText("Dewi Lestari")
    for _ in range(5):
        QTest.keyClicks(dialog.pin, "111222")
        dialog.try_log_in()
    grab(dialog, "login-locked.png")
    dialog.close()


def pin_change(app: App) -> None:
    dialog = _dialog(app)
    dialog.name.setCurrentText("Ujang Hidayat")
    QTest.keyClicks(dialog.pin, "2468")
    dialog.try_log_in()
    QTest.keyClicks(dialog.new_pin, "570264")
    grab(dialog, "pin-change.png")
    dialog.close()


def pin_forgot(app: App, code: str) -> None:
    dialog = _dialog(app)
    dialog.show_forgot()
    QTest.keyClicks(dialog.recovery_code, code[:17])
    grab(dialog, "pin-forgot.png")
    dialog.close()


def accounts_lockouts(app: App, dewi: Actor) -> None:
    for _ in range(5):
        with contextlib.suppress(UserError):
            log_in(app.db, "Ujang Hidayat", "111222")
    dialog = AccountsDialog(app.db, dewi)
    dialog.show()
    QTest.qWaitForWindowExposed(dialog)
    grab(dialog, "accounts-lockouts.png")
    dialog.close()


def main() -> None:
    QApplication(sys.argv[:1])
    app, code, dewi = post()
    try:
        login_locked(app)
        pin_change(app)
        if "--all" in sys.argv:
            pin_forgot(app, code)
            accounts_lockouts(app, dewi)
    finally:
        app.close()


if __name__ == "__main__":
    main()
