"""The demo generator moved to its own package, ``rumah_perisai.demo`` (issue 18, item 4).

Its public names stay importable from here for the scripts, benchmarks and tests that use them.
"""

from rumah_perisai.demo import (
    COORDINATOR_PIN,
    DEMO_LOGINS,
    DEMO_RECOVERY_CODE,
    DEMO_STEPS,
    MAX_PARTICIPANTS,
    VOLUNTEER_PIN,
    DemoLogin,
    DemoRequest,
    DemoSummary,
    create_demo_post,
)

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
