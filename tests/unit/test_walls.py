"""The walls of the house, one named case per module: who may import what.

    core        imports no textual, rich, ui, cli or localforum: data in, data out
    localforum  imports no ui or cli (it serves pages; it knows nothing of the app), and not
                the parser it is used to test
    ui, cli     reach the core only through the facade (service), the models and the
                I/O-free vocabulary (errors, urls, query, text, marks, export, clock,
                settings); never the storage or network modules behind the facade
    ui          imports no cli or localforum (whoever starts the app hands it a service);
                the cli may build the demo's transport from localforum
    ui.list_session  imports no textual or rich (tests drive it on its own)
    all         no import circles, type-only and lazy imports included; no private Textual
                module (``textual._*``): any release may change one without notice
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "nereader"
MODULES = sorted(p for p in ROOT.rglob("*.py"))
FACADE = {"service", "models", "errors", "urls", "query", "text", "marks", "export", "clock",
          "settings"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (lazy imports inside functions too)."""
    found: set[str] = set()
    package = module_name(path).rsplit(".", 0 if path.name == "__init__.py" else 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                found.add(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                found.add(node.module)
    return found


def forbidden(name: str, imported: str) -> str | None:
    """Why ``name`` may not import ``imported`` (None: it may)."""
    top = imported.split(".")[0]
    area = name.split(".")[1] if "." in name else ""
    if area == "core":
        if top in {"textual", "rich"}:
            return "the core is headless"
        if imported.startswith(("nereader.ui", "nereader.cli", "nereader.localforum")):
            return "the core knows nothing above it"
    if area == "localforum" and imported.startswith(("nereader.ui", "nereader.cli")):
        return "the local forum knows nothing of the app"
    if area == "localforum" and imported.startswith("nereader.core.parse"):
        return "the fake forum builds its pages without the parser it is used to test"
    behind = imported.startswith("nereader.core.") and imported.split(".")[2] not in FACADE
    if area in {"ui", "cli"} and behind:
        return "only the facade, the models and the I/O-free vocabulary"
    if area == "ui" and imported.startswith(("nereader.cli", "nereader.localforum")):
        return "the app gets its service from whoever starts it"
    if top == "textual" and any(part.startswith("_") for part in imported.split(".")[1:]):
        return "a private Textual module: any release may change it"
    return None


@pytest.mark.parametrize("path", MODULES, ids=[module_name(p) for p in MODULES])
def test_imports_respect_the_walls(path: Path) -> None:
    name = module_name(path)
    broken = {i: why for i in sorted(imports(path)) if (why := forbidden(name, i))}
    assert not broken, f"{name} imports across a wall: {broken}"




def test_the_walls_catch_a_crossing() -> None:
    """The rule itself: each kind of crossing is caught (so the cases above can fail)."""
    assert forbidden("nereader.core.pages", "textual.widgets")
    assert forbidden("nereader.core.pages", "nereader.localforum.site")
    assert forbidden("nereader.localforum.site", "nereader.ui.app")
    assert forbidden("nereader.localforum.site", "nereader.core.parse")
    assert forbidden("nereader.ui.app", "nereader.core.cache")
    assert forbidden("nereader.cli.library", "nereader.core.bookmarks")
    assert forbidden("nereader.ui.screens.main", "nereader.localforum")
    assert forbidden("nereader.ui.driver", "textual._xterm_parser")
    assert forbidden("nereader.ui.app", "textual.drivers._input_reader")
    assert forbidden("nereader.ui.app", "nereader.core.service") is None
    assert forbidden("nereader.ui.app", "textual.widgets") is None


def test_importing_every_core_module_and_the_cli_loads_no_textual() -> None:
    code = (
        "import importlib, pkgutil, sys, nereader.core as c, nereader.cli;"
        "names = [m.name for m in pkgutil.walk_packages(c.__path__, 'nereader.core.')];"
        "[importlib.import_module(n) for n in names];"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')];"
        "print(len(names), bad); sys.exit(1 if bad or len(names) < 8 else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_list_session_loads_no_textual_or_rich() -> None:
    """The main screen's list session is driven by tests on its own: headless, like the core."""
    code = ("import sys, nereader.ui.list_session;"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')];"
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


NAMES = {module_name(p): p for p in MODULES}


def graph() -> dict[str, set[str]]:
    """Module -> the nereader modules it imports (``from package import module`` counted as the
    module), type-only and lazy imports included."""
    edges: dict[str, set[str]] = {}
    for name, path in NAMES.items():
        found = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    found.add(sub if sub in NAMES else node.module)
        found |= imports(path)
        edges[name] = {i for i in found if i in NAMES and i != name and not
                       (NAMES[i].name == "__init__.py" and i not in _direct(tree))}
    return edges


def _direct(tree: ast.Module) -> set[str]:
    """Packages imported as such (``from nereader.localforum import Site``), not as the parent
    of a submodule."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if any(f"{node.module}.{a.name}" not in NAMES for a in node.names):
                out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import circles (strongly connected components of more than one module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                out.append(sorted(part))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_import_circles() -> None:
    """Not even for type hints: a part split off a screen names what it needs as a Protocol."""
    assert circles(graph()) == []


def test_circles_are_found() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []
