"""ARCHITECTURE.md stays true: every module of the package is named in it, every file it names
exists, and every ``Class.method`` it cites is defined on that class."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
PACKAGE = ROOT / "nereader"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.stem not in {"__init__", "__main__"})


def _classes() -> dict[str, set[str]]:
    """Every class of the package with the names it defines (methods, attributes)."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = found.setdefault(node.name, set())
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                        names.add(item.name)
                    elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                        names.add(item.target.id)
                    elif isinstance(item, ast.Assign):
                        names.update(t.id for t in item.targets if isinstance(t, ast.Name))
    return found


def test_every_module_is_named() -> None:
    words = set(re.findall(r"[A-Za-z_][\w]*", DOC))
    missing = [str(p.relative_to(ROOT)) for p in MODULES if p.stem not in words]
    assert not missing, f"ARCHITECTURE.md does not name: {missing}"


def test_every_file_named_exists() -> None:
    mine = [p for folder in ("nereader", "tests", "bench") for p in (ROOT / folder).rglob("*")]
    stems = {p.stem for p in mine if p.suffix == ".py"} | {p.name for p in mine}
    named = set(re.findall(r"\b([a-z_][a-z0-9_]*)\.(?:py|tcss)\b", DOC))
    gone = sorted(n for n in named if n not in stems and f"{n}.tcss" not in stems)
    assert not gone, f"ARCHITECTURE.md names files that do not exist: {gone}"


def test_every_method_cited_exists() -> None:
    classes = _classes()
    cited = set(re.findall(r"`([A-Z]\w+)\.([a-z_]\w*)`", DOC))
    cited |= set(re.findall(r"`([A-Z]\w+)\.([a-z_]\w*)\(", DOC))
    wrong = sorted(f"{cls}.{name}" for cls, name in cited
                   if cls in classes and name not in classes[cls])
    unknown = sorted(cls for cls, _ in cited if cls not in classes and cls != "Class")
    assert not wrong and not unknown, (wrong, unknown)


def test_the_checks_can_fail() -> None:
    assert "Nothing" not in _classes()
    assert "show_thread" in _classes()["ThreadView"]
