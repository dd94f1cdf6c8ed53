"""The apps' import graph follows the layering of docs/architecture.md: each app imports only
apps below it, so there is no cycle. Every import counts, at module level or inside a
function, absolute or relative."""

import ast
from pathlib import Path

import pytest

import phteah

SRC = Path(phteah.__file__).parent
# Lower number = lower layer. An app may import only apps with a smaller number.
LAYERS = {
    "core": 0,
    "geography": 1,
    "accounts": 2,
    "people": 3,
    "cases": 4,
    "care": 5,
    "referrals": 6,
    "notifications": 7,
    "work": 7,
    "demo": 9,
}
# The project's own modules (settings, URLs, the WSGI and Celery entry points, the command)
# put the apps together and may import any of them; no app imports them (an app reads
# settings through django.conf).


def _app_of(path: Path) -> str | None:
    parts = path.relative_to(SRC).parts
    if len(parts) == 1:
        return None  # a project module
    return parts[0]


def _imported_apps(path: Path) -> set[tuple[str, int]]:
    """(app, line) for every phteah app the module at *path* imports."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = ("phteah", *path.relative_to(SRC).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join(base + ((node.module,) if node.module else ()))
            else:
                module = node.module or ""
            names = [module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "phteah" and len(parts) > 1:
                found.add((parts[1], node.lineno))
    return found


def _edges() -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        app = _app_of(path)
        if app is None:
            continue
        for target, line in _imported_apps(path):
            if target != app:  # a project module (settings, urls...) counts as above all
                edges.setdefault((app, target), []).append(f"{path.relative_to(SRC)}:{line}")
    return edges


def test_every_app_has_a_layer():
    apps = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert apps - set(LAYERS) == set(), "add the new app to LAYERS (and docs/architecture.md)"


def test_apps_import_only_the_layers_below_them():
    upward = {
        f"{app} → {target}": places
        for (app, target), places in _edges().items()
        if target not in LAYERS or LAYERS[target] >= LAYERS[app]
    }
    assert upward == {}


def test_there_is_no_import_cycle():
    graph: dict[str, set[str]] = {}
    for app, target in _edges():
        graph.setdefault(app, set()).add(target)
    visiting, done, cycles = set(), set(), []

    def visit(node, trail):
        if node in done:
            return
        if node in visiting:
            cycles.append(trail[trail.index(node) :] + [node])
            return
        visiting.add(node)
        for target in sorted(graph.get(node, ())):
            visit(target, trail + [node])
        visiting.discard(node)
        done.add(node)

    for node in sorted(graph):
        visit(node, [])
    assert cycles == []


def test_core_imports_nothing_above_it():
    assert {target for (app, target) in _edges() if app == "core"} == set()


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from phteah.cases.models import Case\n", {"cases"}),
        ("def f():\n    from phteah.care import progress\n", {"care"}),
        ("import phteah.work.selectors\n", {"work"}),
        ("from ..cases import access\n", {"cases"}),
        ("from .models import X\n", {"people"}),
    ],
)
def test_the_check_sees_every_kind_of_import(tmp_path, monkeypatch, source, expected):
    """The graph would prove nothing if an import form slipped through."""
    module = SRC / "people" / "_layering_probe.py"
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: source)
    assert {app for app, _line in _imported_apps(module)} == expected
