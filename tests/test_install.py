"""The install a newcomer gets: every import declared, every installed package pinned, CI runs the README's commands."""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions, requires
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _key(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(*extras: str) -> set[str]:
    """The distributions pyproject.toml asks for, with these extras."""
    lines = PROJECT["dependencies"] + [line for extra in extras for line in PROJECT["optional-dependencies"][extra]]
    return {_key(Requirement(line).name) for line in lines}


def imported_distributions(*folders: str) -> dict[str, set[str]]:
    """The third-party distributions the code of these folders imports, with the modules that import each."""
    local = {"bot", "index", "tests", "benchmarks"} | {path.stem for path in (ROOT / "benchmarks").glob("*.py")}
    owners = packages_distributions()
    found: dict[str, set[str]] = {}
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                    [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
                for top in {name.split(".")[0] for name in names} - local - set(sys.stdlib_module_names):
                    for dist in owners.get(top, [top]):
                        found.setdefault(_key(dist), set()).add(str(path.relative_to(ROOT)))
    return found


def test_everything_the_product_imports_is_a_declared_dependency():
    missing = {dist: files for dist, files in imported_distributions("bot", "index").items()
               if dist not in declared()}
    assert missing == {}


def test_everything_the_tests_and_benchmarks_import_is_declared_with_the_dev_extra():
    missing = {dist: files for dist, files in imported_distributions("tests", "benchmarks").items()
               if dist not in declared("dev")}
    assert missing == {}


def _closure(name: str, extras: tuple[str, ...] = ()) -> set[str]:
    """A distribution and everything it needs, as installed here, markers evaluated for this machine."""
    seen: set[str] = set()
    todo = [(name, extras)]
    while todo:
        dist, wanted = todo.pop()
        for line in requires(dist) or []:
            requirement = Requirement(line)
            environments = [{"extra": extra} for extra in wanted] or [{"extra": ""}]
            if requirement.marker and not any(requirement.marker.evaluate(env) for env in environments):
                continue
            key = _key(requirement.name)
            if key not in seen:
                seen.add(key)
                todo.append((requirement.name, tuple(requirement.extras)))
    return seen


def test_constraints_pin_everything_the_project_and_its_dev_extra_install():
    pins = {_key(line.split("==")[0]) for line in (ROOT / "constraints.txt").read_text().splitlines()
            if "==" in line and not line.startswith("#")}
    assert _closure("newsbot", ("dev",)) - pins == set()


def quickstart() -> list[str]:
    """The README's Quickstart commands, as CI's drift check reads them."""
    spec = importlib.util.spec_from_file_location("readme_commands", ROOT / ".ci" / "readme_commands.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.section_blocks((ROOT / "README.md").read_text(encoding="utf-8"), "Quickstart")


def check_script(script: Path) -> subprocess.CompletedProcess[str]:
    """Run CI's check that `script` holds the README's Quickstart commands word for word."""
    return subprocess.run([sys.executable, str(ROOT / ".ci" / "readme_commands.py"), "Quickstart", str(script)],
                          capture_output=True, text=True, check=False)


def test_ci_runs_the_readmes_two_quickstart_commands_with_the_pins():
    first, second = quickstart()
    for command in (first, second):
        assert command.startswith("python3 -m venv .venv && .venv/bin/pip install torch==2.13.0 && ")
        assert "-c constraints.txt" in command and "--upgrade pip" not in command
    assert first.endswith('.venv/bin/newsbot ask "How many of Russia\'s missiles did Ukraine shoot down on Thursday?"')
    assert second.endswith(".venv/bin/python -m pytest -q")
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert any(line.startswith(first + " ") for line in ci) and any(line.startswith(second + " ") for line in ci)
    assert check_script(ROOT / ".ci" / "run").returncode == 0


def test_ci_stops_when_its_commands_and_the_readmes_drift_apart(tmp_path):
    script = tmp_path / "run"
    script.write_text((ROOT / ".ci" / "run").read_text().replace("-e '.[dev]'", "-e .[dev]"))
    run = check_script(script)
    assert run.returncode == 1
    assert run.stderr == (f"{script} does not run README.md's '## Quickstart' command 2 as written: "
                          f"{quickstart()[1]}\n")
