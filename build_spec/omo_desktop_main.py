"""The bundle's entry point: the counter app, or (started by the app itself with
``--embedded-backend``) the demo's backend in its child process."""

import sys

from omo_desktop.demo.embedded import FROZEN_CHILD_ARGUMENT

if sys.argv[1:2] == [FROZEN_CHILD_ARGUMENT]:
    from omo_desktop.demo.embedded import child_main

    sys.exit(child_main())

from omo_desktop.start import main

sys.exit(main())
