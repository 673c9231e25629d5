"""The layout's rules: bot imports only the engine's public API, index never imports bot or discord, modules stay
small, pure modules import nothing that does I/O, and the README's layout map matches the tree."""

import ast
import re
from pathlib import Path

import pytest

import index

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted([*ROOT.glob("index/**/*.py"), *ROOT.glob("bot/**/*.py")])
MAP_LINE = re.compile(r"^- `((?:index|bot)/[\w/]*(?:\.py)?)`: (.+)$")
# Standard and third-party modules that compute without touching files, sockets, databases or devices.
NO_IO = {
    "__future__", "calendar", "collections", "collections.abc", "contextlib", "dataclasses", "datetime", "dateutil",
    "hashlib", "itertools", "math", "numpy", "re", "typing", "unicodedata", "urllib.parse", "zlib",
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def layout_map() -> dict[str, str]:
    """The README's layout map: each listed path and what it says the path holds."""
    lines = (MAP_LINE.match(line) for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines())
    return {m.group(1): m.group(2) for m in lines if m}


def pure_modules() -> list[str]:
    return sorted(module_name(ROOT / path) for path, what in layout_map().items() if what.endswith("(pure)"))


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", sorted(ROOT.glob("index/**/*.py")), ids=relative)
def test_the_engine_never_imports_discord_or_the_front_ends(path):
    roots = {name.split(".")[0] for name in imported_modules(path)}
    assert not roots & {"discord", "bot"}


@pytest.mark.parametrize("path", sorted(ROOT.glob("bot/**/*.py")), ids=relative)
def test_the_front_ends_import_only_the_engines_public_api(path):
    engine = {name for name in imported_modules(path) if name.split(".")[0] == "index"}
    assert engine <= {"index"}


@pytest.mark.parametrize("path", sorted({*ROOT.glob("index/**/*.py")} - {*ROOT.glob("index/store/**/*.py")}),
                         ids=relative)
def test_above_the_store_nothing_knows_which_backend_keeps_the_library(path):
    backends = ("index.store.sqlite", "index.store.postgres")
    # Only index/store/ (its backends.py, above all) chooses and imports a backend.
    assert not {name for name in imported_modules(path) if name.startswith(backends)}


@pytest.mark.parametrize("path", MODULES, ids=relative)
def test_no_module_is_over_300_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 300


def test_the_map_marks_pure_modules_in_every_layer():
    assert {"index.models", "index.ingest.sentences", "index.answers.ranking", "index.summaries.choosing"} <= set(
        pure_modules()
    )


@pytest.mark.parametrize("name", pure_modules())
def test_pure_modules_import_nothing_that_does_io(name):
    """A pure module imports only computation and other pure modules, so it is tested without files or sockets."""
    allowed = NO_IO | set(pure_modules())
    assert imported_modules(ROOT / (name.replace(".", "/") + ".py")) - allowed == set()


def test_the_readme_layout_map_lists_every_package_and_module():
    packages = {relative(p.parent) + "/" for p in MODULES if p.name == "__init__.py"}
    modules = {relative(p) for p in MODULES if p.name != "__init__.py"}
    assert sorted(layout_map()) == sorted(packages | modules)


def test_the_engines_errors_share_one_base():
    errors = [getattr(index, name) for name in index.__all__ if name.endswith("Error")]
    assert errors and all(issubclass(error, index.EngineError) for error in errors)
