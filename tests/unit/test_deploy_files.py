"""deploy/ stays in step with the code: the units' commands parse, the settings exist."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from omo_backend.cli import build_parser
from omo_backend.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))


def directives(unit: Path, name: str) -> list[str]:
    lines = unit.read_text(encoding="utf-8").splitlines()
    return [line.split("=", 1)[1] for line in lines if line.startswith(f"{name}=")]


def test_there_is_an_api_unit_and_a_dispatcher_unit():
    commands = {shlex.split(directives(unit, "ExecStart")[0])[1] for unit in UNITS}
    assert commands == {"serve", "dispatch"}


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_each_units_command_is_one_the_cli_takes(unit: Path):
    (command,) = directives(unit, "ExecStart")
    program, *args = shlex.split(command)
    assert program.endswith("/.venv/bin/omo-backend")
    parsed = build_parser().parse_args(args)  # exits (fails the test) on an unknown option
    if parsed.command == "serve":
        # Several API processes; the dispatchers run as their own units.
        assert parsed.workers > 1
        assert parsed.no_dispatcher
        assert parsed.host == "127.0.0.1"  # only the proxy reaches it
    assert directives(unit, "EnvironmentFile") == ["/etc/omo-counter/omo.env"]
    assert directives(unit, "Restart") == ["always"]


def test_the_example_settings_are_settings_the_backend_reads():
    known = {f"OMO_{name.upper()}" for name in Settings.model_fields}
    lines = (DEPLOY / "omo.env.example").read_text(encoding="utf-8").splitlines()
    names = [line.split("=", 1)[0] for line in lines if line and not line.startswith("#")]
    assert "OMO_DATABASE_URL" in names
    assert set(names) <= known, set(names) - known
