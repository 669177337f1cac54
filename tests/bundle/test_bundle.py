"""The README's install story on Linux: ``./scripts/build`` makes ``dist/omo-desktop/``, whose
frozen app opens the demo's log-in with its backend as a child process, on a machine with no
keyring service (or no fonts: it carries its own), and closing it leaves no process behind."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest
import requests

from bench.bundle import DIST, BundleRun, executable, folder_size
from omo_backend import demo_seed

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="reads processes off /proc"),
    pytest.mark.skipif(
        importlib.util.find_spec("PyInstaller") is None,
        reason="PyInstaller is not installed (./scripts/build installs it)",
    ),
]


def _alive(pid: int) -> bool:
    """A process that still runs (a zombie waiting for its parent to reap it does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture(scope="module")
def bundle() -> Path:
    subprocess.run(["scripts/build"], cwd=ROOT, check=True, timeout=900)
    assert executable(DIST).is_file()
    return DIST


def test_the_built_bundle_opens_the_demo_log_in_and_closes_leaving_no_process(
    bundle: Path, tmp_path: Path
) -> None:
    assert (bundle / "VERSION").read_text().strip() == "0.1.0"
    assert list((bundle / "_internal" / "resources" / "i18n").glob("*.qm"))
    assert folder_size(bundle) > 0
    data = tmp_path / "data"
    # No keyring service: the demo needs none (outside the demo the app asks for one).
    run = BundleRun(bundle, data, env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    try:
        run.wait_ready()
        children = run.children()
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") for pid in children]
        assert [str(executable(bundle)).encode(), b"--embedded-backend", b""] in commands
        assert run.backend_url is not None
        health = requests.get(run.backend_url + "/api/v1/health", timeout=5)
        assert health.status_code == 200
        assert (data / "omo-demo.db").is_file(), "the demo's database is in its data folder"
    finally:
        code = run.close()
    assert code == 0, "\n".join(run.log)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in children if _alive(pid)], "the demo's backend outlived the app"
    with pytest.raises(requests.ConnectionError):
        requests.get(run.backend_url + "/api/v1/health", timeout=2)


def test_on_a_machine_without_fonts_the_bundle_draws_with_its_own(
    bundle: Path, tmp_path: Path
) -> None:
    """A kiosk with no Chinese (or any) font: fontconfig finds none, the app loads the
    bundle's Noto Sans and Noto Sans CJK TC and draws Chinese with them."""
    fonts = bundle / "_internal" / "resources" / "fonts"
    assert sorted(p.name.split("-")[0] for p in fonts.iterdir()) == [
        "NotoSans",
        "NotoSans",
        "NotoSansCJKtc",
        "NotoSansCJKtc",
    ]
    no_fonts = tmp_path / "fonts.conf"
    no_fonts.write_text(
        '<?xml version="1.0"?><fontconfig><cachedir>'
        + str(tmp_path / "cache")
        + "</cachedir></fontconfig>",
        encoding="utf-8",
    )
    run = BundleRun(bundle, tmp_path / "data", env={"FONTCONFIG_FILE": str(no_fonts)})
    try:
        run.wait_ready()
    finally:
        run.close()
    said = "\n".join(run.log)
    assert "the bundle's fonts in use: Noto Sans, Noto Sans CJK TC" in said, said
    assert "none of the app's fonts is installed" not in said, said


def test_the_bundles_chinese_font_has_every_character_the_app_and_its_demo_show(
    bundle: Path,
) -> None:
    from fontTools.ttLib import TTFont

    (cut,) = (bundle / "_internal" / "resources" / "fonts").glob("NotoSansCJKtc-Regular-*")
    covered = set(map(chr, TTFont(str(cut)).getBestCmap()))
    translations = ElementTree.parse(ROOT / "resources" / "i18n" / "omo_zh_TW.ts")
    shown = "".join(t.text or "" for t in translations.iter("translation"))
    shown += "".join(name for _, _, name, *_ in demo_seed.STAFF)
    shown += "".join(name for name, *_ in demo_seed.MEMBERS + demo_seed.DUPLICATES)
    missing = {c for c in shown if ord(c) > 0x2E7F and c not in covered}
    assert not missing, "".join(sorted(missing))


def test_outside_the_demo_the_bundle_still_asks_for_the_os_keyring(
    bundle: Path, tmp_path: Path
) -> None:
    """Without ``--demo`` and with no keyring service the app says so (and keeps no token)."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "LANG": "C.UTF-8",
        "OMO_DATA_DIR": str(tmp_path),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    process = subprocess.Popen(
        [str(executable(bundle)), "--locale", "en"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert process.stderr is not None
    seen = []
    give_up = threading.Timer(60, process.kill)  # ends the read below if the line never comes
    give_up.start()
    try:
        for line in process.stderr:
            seen.append(line)
            if "keyring unavailable" in line:
                break
    finally:
        give_up.cancel()
        process.terminate()
        process.wait(20)
        process.stderr.close()
    assert any("keyring unavailable" in line for line in seen), "".join(seen)
