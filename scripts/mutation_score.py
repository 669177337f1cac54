"""Mutation scores of the rule modules: mutmut over each module with the tests that exercise it.

Run through ./scripts/mutation. Each module (scripts/mutation.toml) gets a fresh work folder in
.mutation/<module>/<database>/ holding links to the packages and tests and mutmut's own
setup.cfg; mutmut copies them into mutants/ there and runs its mutants. The score is
killed / (total - equivalents), with the equivalents (scripts/mutation-equivalents.toml) checked
against the mutant each one names, so a stale entry is reported and not left out.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutation"
MODULES = ROOT / "scripts" / "mutation.toml"
EQUIVALENTS = ROOT / "scripts" / "mutation-equivalents.toml"
# What mutmut copies into mutants/ (the packages under test) or needs beside it.
LINKED = ("omo_backend", "backend_client", "tests", "pyproject.toml")
SOURCES = ("omo_backend", "backend_client")
# API tests run once per database (tests/conftest.py); unit tests have no database.
ON = {"sqlite": "not postgresql", "postgresql": "not sqlite"}
KILLED = {"killed", "timeout"}


@dataclass(frozen=True)
class Mutant:
    name: str
    status: str
    diff: str

    @property
    def change(self) -> list[str]:
        """The mutated line(s), as the mutant has them."""
        return [
            line[1:].strip()
            for line in self.diff.splitlines()
            if line.startswith("+") and not line.startswith("+++")
        ]

    def summary(self) -> str:
        lines = self.diff.splitlines()
        old = [ln[1:].strip() for ln in lines if ln.startswith("-") and not ln.startswith("---")]
        return f"{self.name}\n      - {' / '.join(old)}\n      + {' / '.join(self.change)}"


def mutmut_config(path: str, tests: list[str], database: str) -> str:
    def listed(items: list[str]) -> str:
        return "".join(f"\n    {item}" for item in items)

    return (
        "[mutmut]\n"
        f"source_paths ={listed(list(SOURCES))}\n"
        f"only_mutate = {path}\n"
        f"pytest_add_cli_args_test_selection ={listed([*tests, '-k', ON[database]])}\n"
        f"pytest_add_cli_args ={listed(['-p', 'no:cacheprovider'])}\n"
        # Fresh every run, so nothing is carried over from an earlier state of the code.
        "use_git_change_detection = false\n"
    )


def prepare(workdir: Path, module: dict[str, Any], database: str) -> None:
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    for name in LINKED:
        (workdir / name).symlink_to(ROOT / name)
    (workdir / "setup.cfg").write_text(mutmut_config(module["path"], module["tests"], database))


def run_mutmut(workdir: Path, names: list[str], children: int) -> None:
    mutmut = Path(sys.executable).parent / "mutmut"
    log = workdir / "mutmut.log"
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    with log.open("w") as out:
        done = subprocess.run(  # noqa: S603 (our venv's mutmut, our arguments)
            [str(mutmut), "run", "--max-children", str(children), *names],
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            check=False,
        )
    if done.returncode != 0:
        sys.exit(f"mutmut failed in {workdir} (exit {done.returncode}); see {log}")


def results(workdir: Path) -> dict[str, Mutant]:
    """Every mutant's verdict and diff, read with mutmut's own code inside the work folder."""
    dumped = subprocess.run(  # noqa: S603 (this very script, in its dump mode)
        [sys.executable, str(Path(__file__).resolve()), "--dump"],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=True,
    )
    return {m["name"]: Mutant(**m) for m in json.loads(dumped.stdout)}


def dump() -> None:
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.file_utils import walk_mutatable_files

    found = []
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        for name, exit_code in data.exit_code_by_key.items():
            diff = get_diff_for_mutant(name, path=path)
            found.append({"name": name, "status": status_by_exit_code[exit_code], "diff": diff})
    json.dump(found, sys.stdout)


def score_module(
    name: str,
    module: dict[str, Any],
    equivalents: dict[str, dict[str, str]],
    children: int,
    *,
    rerun: bool = True,
) -> float:
    """Runs mutmut (unless ``rerun`` is off: then scores its last run again) and prints."""
    sqlite_dir = WORK / name / "sqlite"
    if rerun:
        prepare(sqlite_dir, module, "sqlite")
        run_mutmut(sqlite_dir, [], children)
    mutants = results(sqlite_dir)

    left_out: dict[str, str] = {}
    stale: list[str] = []
    for mutant_name, entry in equivalents.items():
        if not mutant_name.startswith(module["path"][:-3].replace("/", ".") + "."):
            continue
        mutant = mutants.get(mutant_name)
        if mutant is None or mutant.change != [entry["change"].strip()]:
            stale.append(mutant_name)
        else:
            left_out[mutant_name] = entry["why"]

    alive = [m for m in mutants.values() if m.status not in KILLED and m.name not in left_out]
    if module.get("postgresql") and alive:
        pg_dir = WORK / name / "postgresql"
        if rerun:
            prepare(pg_dir, module, "postgresql")
            run_mutmut(pg_dir, [m.name for m in alive], children)
        on_pg = {n: m.status for n, m in results(pg_dir).items() if m.status != "not checked"}
        alive = [
            Mutant(m.name, f"{m.status}, then {on_pg.get(m.name, 'not run')} on postgresql", m.diff)
            for m in alive
            if on_pg.get(m.name) not in KILLED
        ]

    killed = len(mutants) - len(left_out) - len(alive)
    counted = len(mutants) - len(left_out)
    score = 100.0 * killed / counted if counted else 100.0
    print(
        f"{name:12} {module['path']}: {score:.1f} % "
        f"(killed {killed} / ({len(mutants)} total - {len(left_out)} equivalent))"
    )
    for m in sorted(alive, key=lambda m: m.name):
        print(f"    {m.status}: {m.summary()}")
    for mutant_name in stale:
        print(
            f"    stale equivalent (not left out; fix scripts/mutation-equivalents.toml): "
            f"{mutant_name}"
        )
    return score


def main() -> None:
    if "--dump" in sys.argv:
        dump()
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    modules = tomllib.loads(MODULES.read_text())["modules"]
    parser.add_argument("modules", nargs="*", help=f"some of {', '.join(modules)} (default: all)")
    parser.add_argument("--fail-under", type=float, default=90.0)
    parser.add_argument(
        "--report",
        action="store_true",
        help="score the last run again (after editing the equivalents) without running mutmut",
    )
    parser.add_argument(
        "--children", type=int, default=int(os.environ.get("OMO_MUTATION_CHILDREN", "2"))
    )
    args = parser.parse_args()
    unknown = set(args.modules) - set(modules)
    if unknown:
        parser.error(f"unknown module(s): {', '.join(sorted(unknown))}")
    equivalents = {
        e["mutant"]: e for e in tomllib.loads(EQUIVALENTS.read_text()).get("equivalent", [])
    }
    scores = {
        name: score_module(name, modules[name], equivalents, args.children, rerun=not args.report)
        for name in (args.modules or modules)
    }
    low = [name for name, score in scores.items() if score < args.fail_under]
    if low:
        sys.exit(f"below {args.fail_under} %: {', '.join(low)}")


if __name__ == "__main__":
    main()
