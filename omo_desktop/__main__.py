"""python -m omo_desktop: the same as omo-desktop."""

import sys

from omo_desktop.start import main

sys.exit(main())
