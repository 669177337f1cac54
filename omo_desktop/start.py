"""The app's entry (``omo-desktop``, ``python -m omo_desktop``, the bundle's executable).

With ``--demo``, the demo's backend process is launched before anything else is imported: it
prepares its database and starts serving on the other core while this process loads Qt and
builds the window, which is where the time to a usable log-in goes.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from omo_desktop.arguments import parse_args

    arguments = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(arguments)  # --help or a mistake ends here, before anything starts
    demo = None
    if args.demo:
        from omo_desktop.demo.embedded import EmbeddedBackend, default_data_dir

        demo = EmbeddedBackend()
        demo.launch(args.data_dir or default_data_dir())
    from omo_desktop.app import main as run

    return run(arguments, demo=demo)
