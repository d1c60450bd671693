"""The shape holds: the engine and the catalogue never reach for the CLI or the renderers, and the
engine does no I/O and prints nothing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "lawgov_metrics"
PURE = sorted([*(SRC / "engine").glob("*.py"), *(SRC / "catalogue").glob("*.py")])


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", PURE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_engine_and_catalogue_do_not_import_cli_or_render(path: Path) -> None:
    bad = {
        n
        for n in _imports(path)
        if n.startswith(("lawgov_metrics.cli", "lawgov_metrics.render", "typer", "rich"))
    }
    assert bad == set()


@pytest.mark.parametrize("path", sorted((SRC / "engine").glob("*.py")), ids=lambda p: p.name)
def test_engine_does_no_io(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not calls & {"print", "open", "input"}
    assert not {n for n in _imports(path) if n in {"os", "shutil", "subprocess", "pathlib"}}
