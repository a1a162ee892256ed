"""Demo data: a training post filled with realistic, made-up participants (issue 3, item 1).

A demo post lets a new volunteer practise, and lets developers and the benchmarks see the
program with a season's worth of data. It is made only in an empty data folder, as a post marked
``is_demo``, through the same set-up as a real post (``services.posts.create_post``).

What it holds, in the shape the real services will write (DOMAIN.md, "Rules this program
follows"): participants from the post's kabupaten with NIKs that agree with their birth date and
sex, registered in weekly promotion drives over the last 8 months, each with the free promotion
cover; after the promotion some pay 1, 3, 6 or 12 months at a time (never skipping a month), some
fall into arrears, some lapse, and some lapsed ones rejoin. Every payment has a numbered receipt
in the post's hash chain.

The cash as ``services.dues`` and ``services.cash`` keep it: about 0.5 % of payments are voided
by the coordinator minutes later, the same day (out of the collector's cash; most are followed
by a new receipt for the same months, the rest were the participant's last payment and their
cover is recomputed without it), and about 0.1 % are refunded on a later day (out of the
coordinator's cash, with a new receipt). Every business day with receipts before ``today`` is
closed at about four o'clock (a few counts are a little off, with a note), and each Monday the
coordinator takes the closes of the week before to the bank; this week's closes stay at the post.

Everything comes from ``random.Random(seed)`` (and a second one for the voids and the cash, so
those leave the rest as it was): the same seed and day give the same rows (only the post's
signing key and the PIN hashes differ, being random by design). The whole demo
is one unit of work, so a cancel, an error or a killed process leaves no trace in the database
(only the post's key file, which the next set-up adopts). Its rows are written in chunks: on
SQLite as SQL text through the driver, by a second thread while the next rows are made, into
tables whose indexes are made once they are filled, and the name search index filled once from
every row (``bulk``); elsewhere with Core inserts. The cover periods are made by the database
from the participants and receipts written (one ``INSERT … SELECT``). The accounts' PIN hashes
are made on a thread while the first people are made. ``bench/bench_demo.py`` times it
(docs/benchmarks.md).

The post's services write one record at a time through the ORM (the audit hook writes a row per
record); they have no bulk path to share, so the demo keeps its own (``bulk``) and uses what the
services do have for many rows at once (``db.tally.rebuild``). The modules:

* ``api``: ``create_demo_post``, its request and summary; the post and its accounts;
* ``logins``: the accounts and their PINs; ``dice``: quick random draws and weighted choices;
* ``pools``: names, streets, villages, occupations; ``people``: the participants and how they pay;
* ``mishaps``: the voids and refunds; ``tally``: progress steps and counts;
* ``writer``: participants, receipts (the hash chain) and cover periods; ``cash``: closes and
  deposits; ``bulk``: bulk inserts, counters and ids.

``rumah_perisai.services.demo`` re-exports the public names for the scripts that import them there;
the program itself imports them from here.
"""

from rumah_perisai.demo.api import (
    DEMO_RECOVERY_CODE,
    MAX_PARTICIPANTS,
    DemoRequest,
    DemoSummary,
    create_demo_post,
)
from rumah_perisai.demo.logins import COORDINATOR_PIN, DEMO_LOGINS, VOLUNTEER_PIN, DemoLogin
from rumah_perisai.demo.tally import DEMO_STEPS

__all__ = [
    "COORDINATOR_PIN",
    "DEMO_LOGINS",
    "DEMO_RECOVERY_CODE",
    "DEMO_STEPS",
    "MAX_PARTICIPANTS",
    "VOLUNTEER_PIN",
    "DemoLogin",
    "DemoRequest",
    "DemoSummary",
    "create_demo_post",
]
