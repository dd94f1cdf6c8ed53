"""Services are the gate: every service of the cases and care apps that takes a date of a
case's record (an argument named ``*_on``) checks it with ``case_date`` — itself or through a
helper of its module — so that a new record type cannot forget the rule."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[3] / "src" / "phteah"
MODULES = sorted(
    [*(SRC / "cases" / "services").glob("*.py"), *(SRC / "care" / "services").glob("*.py")]
)
# Dates that are not a record's date: none so far.
NOT_RECORD_DATES: set[tuple[str, str]] = set()


def _functions(tree) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def _called_names(function) -> set[str]:
    return {
        node.func.id
        for node in ast.walk(function)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }


def _checks_dates(name, functions, seen=None) -> bool:
    seen = seen or set()
    if name in seen or name not in functions:
        return False
    seen.add(name)
    called = _called_names(functions[name])
    return "case_date" in called or any(_checks_dates(c, functions, seen) for c in called)


def _dated_services():
    for path in MODULES:
        tree = ast.parse(path.read_text())
        functions = _functions(tree)
        for name, function in functions.items():
            if name.startswith("_"):
                continue
            dates = [a.arg for a in function.args.kwonlyargs if a.arg.endswith("_on")]
            dates = [d for d in dates if (name, d) not in NOT_RECORD_DATES]
            if dates:
                yield pytest.param(path.name, name, functions, id=f"{path.stem}.{name}")


SERVICES = list(_dated_services())


def test_the_dated_services_are_found():
    names = {param.values[1] for param in SERVICES}
    assert {"visit_record", "service_record", "placement_start", "reunification_record"} <= names


@pytest.mark.parametrize(("module", "name", "functions"), SERVICES)
def test_it_checks_its_dates_with_case_date(module, name, functions):
    assert _checks_dates(name, functions), (
        f"{module}: {name} takes a date but never calls case_date"
    )
