"""The app's command line (argparse only: read before Qt loads, see ``omo_desktop.start``)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="omo-desktop", description="OMO Counter")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run a demo backend on this computer, with demo stores, staff and customers",
    )
    parser.add_argument("--fullscreen", action="store_true", help="kiosk: fill the screen")
    parser.add_argument(
        "--touch-keyboard",
        # keyboard.KeyboardSetting's values (that module loads the icon font: imported later)
        choices=["on", "off", "auto"],
        default="auto",
        help="typing an e-mail or a name without a hardware keyboard: the app's on-screen "
        "keyboard (on), none (off), or auto: the OS touch keyboard on Windows, the app's on "
        "a --fullscreen kiosk elsewhere",
    )
    parser.add_argument("--locale", choices=["en", "zh_TW"], help="language (default: system)")
    parser.add_argument("--data-dir", type=Path, help="where the app keeps its files")
    return parser.parse_args(argv)
