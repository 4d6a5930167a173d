"""The layout keeps its promises: imports follow the flow of data, WeasyPrint's internals stay in one room.

The rooms and their order are docs/architecture.md's picture:
source → citations → checks → renderers (render, epub, pdf, web) → validation,
with ``pipeline`` running them, ``preview`` (``publish serve``) running them again on every edit, and ``cli``
presenting them.  The checker reads
the imports with ``ast`` (including imports inside functions), so a lazy
import against the flow fails too.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "publish"
BASE = {"model", "findings", "conventions", "paths", "text", "parallel", "output", "colour"}
# A room may import rooms of a lower rank (and its own); renderers never import the source side.
RANK = {"base": 0, "i18n": 0, "bibliography": 1, "source": 2, "citations": 3, "checks": 4, "render": 5,
        "epub": 6, "pdf": 6, "web": 6, "validation": 7, "starter": 8, "pipeline": 8, "preview": 9, "cli": 10,
        "__main__": 11}
RENDERERS = {"render", "epub", "pdf", "web"}
SOURCE_SIDE = {"source", "bibliography", "citations"}
MAX_LINES = 400
MAX_TOP_MODULES = 12


def room(module: str) -> str:
    """``publish.pdf.parts.merge`` → ``pdf``; the small shared modules at the top are ``base``."""
    parts = module.split(".")
    head = parts[1] if len(parts) > 1 else "__init__"
    return "base" if head in BASE or head == "__init__" else head


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[str, int]]:
    """Every ``publish.…`` module ``path`` imports, with the line (relative imports resolved)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append((target, node.lineno))
            found.extend((f"{target}.{alias.name}", node.lineno) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
    return [(target, line) for target, line in found if target == "publish" or target.startswith("publish.")]


def arrows_against_the_flow(modules: dict[str, list[tuple[str, int]]]) -> list[str]:
    """Each import that points from a room to a later one, to the CLI, or from a renderer to the source side."""
    known = set(modules)
    problems = []
    for source, targets in modules.items():
        here = room(source)
        for target, line in targets:
            if target not in known:  # ``from publish.x import name``: the name, not a module
                continue
            there = room(target)
            where = f"{source}:{line} imports {target}"
            if there == "cli" and here not in ("cli", "__main__"):
                problems.append(f"{where}: nothing imports the CLI")
            elif here in RENDERERS and there in SOURCE_SIDE:
                problems.append(f"{where}: renderers map the model, they never read the source")
            elif here != there and RANK[there] >= RANK[here]:
                problems.append(f"{where}: {there} comes after {here} in the pipeline")
    return problems


def cycles(modules: dict[str, list[tuple[str, int]]]) -> list[list[str]]:
    """Import cycles between modules (module-level and lazy imports alike), each as a path of names."""
    graph = {name: sorted({t for t, _ in targets if t in modules and t != name}) for name, targets in modules.items()}
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in graph[node]:
            if state.get(nxt) == "open":
                found.append([*path[path.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return found


def package_modules() -> dict[str, list[tuple[str, int]]]:
    """Each module's imports; ``from package import module`` counts as importing the module only."""
    found = {module_name(path): imports_of(path) for path in sorted(PACKAGE.rglob("*.py"))}
    for name, targets in found.items():
        submodules = {(t.rsplit(".", 1)[0], line) for t, line in targets if t in found}
        found[name] = [(t, line) for t, line in targets if (t, line) not in submodules]
    return found


def test_imports_follow_the_flow_of_data():
    assert arrows_against_the_flow(package_modules()) == []


def test_no_import_cycles():
    assert cycles(package_modules()) == []  # e.g. the schema and the file reader once imported each other


def test_every_room_is_known():
    assert {room(name) for name in package_modules()} <= set(RANK)


def test_the_checker_fails_on_a_backward_arrow_and_a_cycle():
    """The rules can fail: a loader importing the EPUB renderer, a renderer importing the loader, a cycle."""
    fake = {"publish.source.book": [("publish.epub.package", 3)],
            "publish.epub.package": [("publish.source.book", 7)],
            "publish.model": [("publish.cli", 1)], "publish.cli": []}
    problems = arrows_against_the_flow(fake)
    assert any("source.book:3 imports publish.epub.package" in p for p in problems)
    assert any("renderers map the model" in p for p in problems)
    assert any("nothing imports the CLI" in p for p in problems)
    assert cycles(fake) == [["publish.epub.package", "publish.source.book", "publish.epub.package"]]


def test_weasyprint_internals_only_in_the_engine():
    """Private WeasyPrint and pydyf code is read or patched only under publish/pdf/engine/."""
    public = {"weasyprint", "weasyprint.urls", "weasyprint.text.fonts"}  # HTML, CSS, URLFetcher, FontConfiguration
    private_names = {"_page_box", "page_maker", "make_margin_boxes", "draw_first_line"}
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if (PACKAGE / "pdf" / "engine") in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if (name.startswith(("weasyprint", "pydyf")) and name not in public) or name == "pydyf":
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
            if isinstance(node, ast.Attribute) and node.attr in private_names:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} reads .{node.attr}")
    assert offenders == []


def test_modules_stay_small_and_the_top_stays_short():
    long = [f"{p.relative_to(ROOT)}: {n} lines" for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES]
    assert long == []
    top = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__"))
    assert len(top) <= MAX_TOP_MODULES, top


@pytest.mark.slow
def test_the_build_process_never_imports_weasyprint(tmp_path):
    """Only the layout processes load WeasyPrint; the build's own start-up stays light (checked after a build)."""
    script = (
        "import sys\n"
        "from publish.cli import main\n"
        f"code = main(['build', {str(ROOT / 'tests' / 'books' / 'figure')!r}, '--out-dir', {str(tmp_path)!r}, '-q'])\n"
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] in ('weasyprint', 'pydyf')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "0" and done.stdout.strip().endswith("[]"), done.stdout
    assert list(tmp_path.glob("*.pdf")) and list(tmp_path.glob("*.epub"))
