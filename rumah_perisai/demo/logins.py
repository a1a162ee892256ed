"""The demo post's accounts and their fixed PINs (a training post: they are documented)."""

from __future__ import annotations

from dataclasses import dataclass

from rumah_perisai.services.volunteers import (
    ROLE_COORDINATOR,
    ROLE_VOLUNTEER,
)

COORDINATOR_PIN = "1357"
VOLUNTEER_PIN = "2468"


@dataclass(frozen=True)
class DemoLogin:
    """An account of the demo post, with its fixed PIN (documented: it is a training post)."""

    name: str
    role: str
    pin: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("Euis Komalasari", ROLE_COORDINATOR, COORDINATOR_PIN),
    DemoLogin("Asep Saepudin", ROLE_VOLUNTEER, VOLUNTEER_PIN),
    DemoLogin("Dedeh Kurniasih", ROLE_VOLUNTEER, VOLUNTEER_PIN),
    DemoLogin("Carsim", ROLE_VOLUNTEER, VOLUNTEER_PIN),
    DemoLogin("Neneng Hasanah", ROLE_VOLUNTEER, VOLUNTEER_PIN),
    DemoLogin("Ujang Sopandi", ROLE_VOLUNTEER, VOLUNTEER_PIN),
    DemoLogin("Warsih", ROLE_VOLUNTEER, VOLUNTEER_PIN),
    DemoLogin("Dadang Suhendar", ROLE_VOLUNTEER, VOLUNTEER_PIN),
    DemoLogin("Iis Nurjanah", ROLE_VOLUNTEER, VOLUNTEER_PIN),
)
# How much each account above registers and collects: volunteers differ a lot in practice, and
# the incentive screens should show it.
ACTIVITY = (0.4, 1.6, 1.3, 1.0, 1.2, 0.7, 0.9, 1.1, 0.5)
COORDINATOR = 0  # the account that voids, refunds, closes and deposits (DEMO_LOGINS[0])
