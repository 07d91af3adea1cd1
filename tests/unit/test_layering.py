"""The import direction is checked, not reviewed: api -> services -> engine; engine takes plain data."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imports_of(package: str) -> dict[Path, set[str]]:
    result = {}
    for path in (ROOT / package).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                prefix = "." * node.level
                names.add(prefix + (node.module or ""))
        result[path] = names
    return result


def offenders(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(f"{path.relative_to(ROOT)} imports {name}" for path, names in imports_of(package).items()
                  for name in names if name.split(".")[0] in forbidden or any(
                      name.lstrip(".").startswith(f) for f in forbidden if "." in f))


def test_engine_imports_neither_flask_nor_sqlalchemy_nor_marshmallow():
    assert offenders("app/engine", ("flask", "sqlalchemy", "marshmallow", "werkzeug")) == []


def test_engine_does_not_reach_up_into_services_models_or_api():
    bad = [f"{p.relative_to(ROOT)}: {n}" for p, names in imports_of("app/engine").items() for n in names
           if n.startswith("..") or n.startswith("app.")]
    assert bad == []


def test_services_do_not_import_flask_or_the_api():
    assert offenders("app/services", ("flask", "werkzeug", "marshmallow")) == []
    bad = [f"{p.relative_to(ROOT)}: {n}" for p, names in imports_of("app/services").items() for n in names
           if n.startswith("..api") or n.startswith("app.api")]
    assert bad == []


def test_models_import_no_framework_but_sqlalchemy():
    assert offenders("app/models", ("flask", "marshmallow", "SpiffWorkflow")) == []


def test_handlers_import_nothing_from_app():
    bad = [f"{p.relative_to(ROOT)}: {n}" for p, names in imports_of("handlers").items() for n in names
           if n == "app" or n.startswith("app.")]
    assert bad == []
