"""The import rules: bot -> index, never back; pure engine modules import only models."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE_MODULES = (
    "ingest/sentences", "answers/selection", "answers/ranking", "search/queries", "summaries/choosing", "models",
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "index").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_engine_never_imports_discord_or_the_front_ends(path):
    roots = {name.split(".")[0] for name in imported_modules(path)}
    assert not roots & {"discord", "bot"}


@pytest.mark.parametrize("name", PURE_MODULES)
def test_pure_modules_import_only_models_from_the_engine(name):
    engine = {n for n in imported_modules(ROOT / "index" / f"{name}.py") if n.startswith("index")}
    assert engine <= {"index.models"}


def test_modules_stay_small():
    modules = [*ROOT.glob("index/**/*.py"), *ROOT.glob("bot/**/*.py")]
    too_long = [p.name for p in modules if len(p.read_text().splitlines()) > 350]
    assert too_long == []
