"""The shape holds (docs/ARCHITECTURE.md draws it): catalogue ← engine ← api ← cli; intake reads, render
writes, and neither reaches into the other; results and the submission are plain data; the engine does no
I/O and prints nothing; no module imports itself back through others (lazy imports included)."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "lawgov_metrics"
PACKAGE = "lawgov_metrics"
MODULES = sorted(SRC.rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = [PACKAGE, *path.relative_to(SRC).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


NAMES = {_module_name(p): p for p in MODULES}


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node but those under ``if TYPE_CHECKING:`` (annotations only, never imported at run time)."""
    out: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        out.append(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and ast.unparse(child.test) in {
                "TYPE_CHECKING",
                "typing.TYPE_CHECKING",
            }:
                todo.extend(child.orelse)
                continue
            todo.append(child)
    return out


@cache
def _imports(path: Path) -> frozenset[str]:
    """Every module this one imports, at the top or inside a function (``from a import b`` → ``a.b`` when
    ``b`` is a module of ours, else ``a``)."""
    names: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                names.add(child if child in NAMES else node.module)
    return frozenset(names)


def _ours(path: Path) -> set[str]:
    return {n for n in _imports(path) if n == PACKAGE or n.startswith(PACKAGE + ".")}


def _in(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def _layer(module: str) -> str:
    """The room a module lives in: the first name below the package (``intake``, ``engine``, ``api`` …)."""
    return module.split(".")[1] if "." in module else "__init__"


# Who may import whom, room by room (leaf modules of plain data are open to all).
ALLOWED: dict[str, set[str]] = {
    "issues": set(),
    "output_paths": set(),
    "catalogue": {"issues"},
    "layout": {"catalogue"},
    "submission": {"issues"},
    "results": {"issues", "catalogue"},
    "engine": {"catalogue", "issues", "submission", "results"},
    "intake": {"catalogue", "issues", "submission", "layout", "intake", "output_paths"},
    "render": {"catalogue", "issues", "results", "layout", "render", "__init__", "output_paths"},
    "api": {"catalogue", "issues", "submission", "results", "intake", "engine", "render", "output_paths"},
    "cli": {"__init__", "api", "catalogue", "issues", "submission", "results", "intake", "render"}
    | {"cli_text", "cli_options", "output_paths"},
    "cli_text": {"render"},
    "cli_options": {"cli_text", "catalogue", "submission", "intake", "render"},
    "__main__": {"cli"},
    "__init__": {"api", "catalogue"},
}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_each_module_imports_only_the_rooms_below_it(path: Path) -> None:
    module = _module_name(path)
    room = _layer(module)
    allowed = ALLOWED[room] | {room}
    bad = {n for n in _ours(path) if _layer(n) not in allowed}
    assert bad == set(), f"{module} ({room}) imports {sorted(bad)}; allowed: {sorted(allowed)}"


def test_every_room_is_in_the_table() -> None:
    assert {_layer(m) for m in NAMES} <= set(ALLOWED)


@pytest.mark.parametrize(
    "path", [p for p in MODULES if _in(_module_name(p), "lawgov_metrics.engine", "lawgov_metrics.catalogue")]
)
def test_engine_and_catalogue_do_not_reach_the_user_interface(path: Path) -> None:
    assert {n for n in _imports(path) if _in(n, "typer", "rich", "click")} == set()


@pytest.mark.parametrize("path", sorted((SRC / "engine").glob("*.py")), ids=lambda p: p.name)
def test_engine_does_no_io(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not calls & {"print", "open", "input"}
    assert not {n for n in _imports(path) if n in {"os", "shutil", "subprocess", "pathlib", "io"}}


def test_no_import_cycles() -> None:
    graph = {name: {n for n in _ours(path) if n in NAMES and n != name} for name, path in NAMES.items()}
    # a package's __init__ is imported on the way to any of its modules; an empty one adds no edge
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert cycles == [], "\n".join(" → ".join(c) for c in cycles)


def test_no_module_is_over_about_500_lines() -> None:
    long = {str(p.relative_to(SRC)): n for p in MODULES if (n := len(p.read_text().splitlines())) > 560}
    assert long == {}


def _modules_named_in_the_doc(text: str) -> set[str]:
    """Module paths named under "Where each concept lives": a bold ``room/`` heading sets the folder of the
    ``name.py`` in the bullets below it; **Top level** is the package itself."""
    named: set[str] = set()
    folder = None
    for line in text[text.index("## Where each concept lives") :].splitlines():
        heading = re.match(r"\*\*(?:`([a-z_/]+/)`|Top level)\*\*", line)
        if heading:
            folder = heading.group(1) or ""
        elif folder is not None and line.startswith("- "):
            named |= {folder + name for name in re.findall(r"`([a-z_]+\.py)`", line)}
    return named


def test_architecture_doc_names_every_module() -> None:
    """docs/ARCHITECTURE.md says where each concept lives: every module is named there, and every module
    it names exists."""
    named = _modules_named_in_the_doc((ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8"))
    files = {str(p.relative_to(SRC)) for p in MODULES}
    packages = {f for f in files if f.endswith("__init__.py") and f != "__init__.py"}
    assert files - packages - named == set(), "modules the architecture page does not mention"
    assert named - files == set(), "the architecture page names modules that do not exist"
