"""``python -m rumah_perisai.cli``: the same as ``python -m rumah_perisai``."""

import sys

from rumah_perisai.cli import main

sys.exit(main())
