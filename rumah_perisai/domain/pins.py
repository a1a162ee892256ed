"""What a PIN may be, and how long a run of wrong tries makes the next one wait (issue 16).

A PIN is only as good as the number of guesses it takes: 4 digits are 10,000, and people
choose 1234 or 1111 first. New PINs are therefore 6–8 digits, and the patterns a guesser
tries first are refused:

* one digit repeated (``111111``);
* a run where every digit is one more, or every digit one less, than the one before, going
  round from 9 to 0 and back (``123456``, ``987654``, ``890123``, ``210987``);
* a short group repeated to fill the PIN (``121212``, ``123123``, ``12341234``).

PINs made before this rule (4 and 5 digits, or one of the patterns) keep working, but their
owner is asked to choose a new one at the next login; the demo post keeps its documented ones.

Wrong tries: after ``LOCK_AFTER`` (5) wrong ones in a row the next try waits ``FIRST_WAIT``,
and every further wrong one doubles the wait, up to ``MAX_WAIT``
(30 s, 1 min, 2 min, 4 min, 8 min, then 15 min each time). A right PIN starts the count again.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

MIN_DIGITS = 6
MAX_DIGITS = 8
LEGACY_MIN_DIGITS = 4  # what the program accepted before issue 16 (and the demo's PINs)

LOCK_AFTER = 5  # wrong tries in a row after which the next one must wait
FIRST_WAIT = timedelta(seconds=30)
MAX_WAIT = timedelta(minutes=15)


class Weakness(StrEnum):
    NOT_DIGITS = "not_digits"  # empty, letters, or longer than MAX_DIGITS
    TOO_SHORT = "too_short"
    ONE_DIGIT = "one_digit"
    RUN = "run"
    REPEATED = "repeated"


def weakness(pin: str) -> Weakness | None:
    """Why ``pin`` is not allowed as a new PIN, or None when it is."""
    if not pin.isascii() or not pin.isdigit() or len(pin) > MAX_DIGITS:
        return Weakness.NOT_DIGITS
    if len(pin) < MIN_DIGITS:
        return Weakness.TOO_SHORT
    if len(set(pin)) == 1:
        return Weakness.ONE_DIGIT
    if _is_run(pin):
        return Weakness.RUN
    if _is_repeated_group(pin):
        return Weakness.REPEATED
    return None


def could_be_a_pin(pin: str) -> bool:
    """Whether ``pin`` could be any account's PIN: the program never accepted anything but 4–8
    digits, not one digit repeated (before issue 16; what the demo post's documented PINs
    still are). Anything else cannot match, so trying it costs no try and tells nothing."""
    return (
        pin.isascii()
        and pin.isdigit()
        and LEGACY_MIN_DIGITS <= len(pin) <= MAX_DIGITS
        and len(set(pin)) > 1
    )


def _is_run(pin: str) -> bool:
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:], strict=False)}
    return steps in ({1}, {9})


def _is_repeated_group(pin: str) -> bool:
    return any(
        len(pin) % size == 0 and pin == pin[:size] * (len(pin) // size)
        for size in range(2, len(pin) // 2 + 1)
    )


def wait_after(failures: int) -> timedelta:
    """How long the next try must wait after ``failures`` wrong tries in a row."""
    if failures < LOCK_AFTER:
        return timedelta(0)
    doublings = min(failures - LOCK_AFTER, 10)  # 2**10 × 30 s is far past the cap
    return min(FIRST_WAIT * (1 << doublings), MAX_WAIT)
