"""The demo generator moved to its own package, ``rumah_perisai.demo`` (issue 18, item 4).

Its public names stay importable from here for the scripts, benchmarks and tests that use them:
the package's own ``__all__``, not a second list to keep in step.
"""

from rumah_perisai import demo as _demo
from rumah_perisai.demo import *  # noqa: F403 (a re-export of the package's public names)

__all__ = _demo.__all__
