"""``python -m rumah_perisai``: the same as the ``rumah-perisai`` command."""

import sys

from rumah_perisai.cli import main

sys.exit(main())
