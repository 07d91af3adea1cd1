"""Driving the Jilin pack through the services, for the integration tests: deploy workflows/ with the real handlers
over the demo records (`deploy_pack`, behind each module's `pack` fixture), start processes, find open tasks by their Chinese names (CONTRACT.md) and complete
them with form values, read variables and records."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.demo import create_demo_records
from app.services import deployments, instances, tasks, variables
from app.services.context import SYSTEM
from app.services.jilin_records import SqlRecords
from app.services.local_time import local_day  # noqa: F401  (the tests take it from here)
from app.services.task_queries import TaskQuery
from app.services.typed_values import TypedValue
from handlers import HANDLERS

WORKFLOWS = Path(__file__).resolve().parents[1] / "workflows"
NEUTRAL = {"boolean": True, "string": "—", "long": 1}


def deploy_pack(kb):
    """Deploy workflows/ with the real handlers and create the demo records; skip when there are no diagrams."""
    files = sorted(WORKFLOWS.glob("*.bpmn")) + sorted(WORKFLOWS.glob("*.dmn"))
    if not any(p.suffix == ".bpmn" for p in files):
        pytest.skip("no diagrams in workflows/ yet")
    kb.engine.handlers.update(HANDLERS)
    deployments.deploy(kb, SYSTEM, deployments.DeployCommand(resources={p.name: p.read_bytes() for p in files},
                                                             name="kuaibao-workflows"))
    create_demo_records(kb)
    return kb


def typed(value) -> TypedValue:
    kind = {bool: "Boolean", int: "Long"}.get(type(value), "String")
    return TypedValue(kind, value if kind != "String" else str(value))


def start(kb, key: str, business_key: str, **values) -> str:
    cmd = instances.StartCommand(key=key, business_key=business_key, variables={k: typed(v) for k, v in values.items()})
    return instances.start(kb, SYSTEM, cmd).instance.id


def task(kb, business_key: str, name: str):
    found = [t for t in tasks.list_tasks(kb, SYSTEM, TaskQuery(process_instance_business_key=business_key))
             if t.name == name]
    assert len(found) == 1, f"expected one open task {name} for {business_key}, found {len(found)}"
    return found[0]


def groups(kb, business_key: str, name: str) -> set[str]:
    return {c.group_id for c in tasks.candidates(kb, SYSTEM, task(kb, business_key, name).id)}


def work(kb, business_key: str, name: str, **values) -> None:
    """Complete the named task with `values`, plus neutral values for required fields they leave out."""
    t = task(kb, business_key, name)
    for field in json.loads(t.form_fields or "[]"):
        rules = {r["name"] for r in field.get("validation") or []}
        if field["id"] not in values and "required" in rules and "readonly" not in rules:
            options = [o["id"] for o in field.get("options") or []]
            values[field["id"]] = options[0] if options else NEUTRAL.get(field["type"], "—")
    tasks.complete(kb, SYSTEM, t.id, {k: typed(v) for k, v in values.items()})


def variable(kb, instance_id: str, name: str):
    return variables.get_variables(kb, SYSTEM, instance_id, [name])[name].value


def records(kb, read):
    return kb.read(lambda s: read(SqlRecords(s)))

