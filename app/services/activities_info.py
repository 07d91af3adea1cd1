"""What a definition's diagram says about its activities, for pages: names, types and the Camunda extension
properties (such as the Jilin pack's `stage`). Read from the cached spec; definitions never change once deployed."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ..engine.activities import activity_type
from .context import Kuaibao


@dataclass(frozen=True)
class ActivityInfo:
    id: str
    name: str | None
    type: str
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def stage(self) -> str | None:
        return self.properties.get("stage")


_CACHE: dict[str, dict[str, ActivityInfo]] = {}
_LOCK = threading.Lock()


def activities_of(kb: Kuaibao, session: Session, definition_id: str) -> dict[str, ActivityInfo]:
    """Every flow node of the definition (its subprocesses' too), by BPMN id."""
    with _LOCK:
        found = _CACHE.get(definition_id)
    if found is not None:
        return found
    workflow = kb.specs.get(session, definition_id).new_workflow()
    found = {}
    for spec in (workflow.spec, *workflow.subprocess_specs.values()):
        for task_spec in spec.task_specs.values():
            bpmn_id = getattr(task_spec, "bpmn_id", None)
            if bpmn_id is None or bpmn_id in found:
                continue
            properties = {k: str(v) for k, v in (getattr(task_spec, "extensions", None) or {}).items()
                          if isinstance(k, str) and not k.startswith("camunda:") and isinstance(v, (str, int, float))}
            found[bpmn_id] = ActivityInfo(bpmn_id, getattr(task_spec, "bpmn_name", None), activity_type(task_spec),
                                          properties)
    with _LOCK:
        if len(_CACHE) > 1024:
            _CACHE.clear()
        _CACHE[definition_id] = found
    return found


def stage_of(kb: Kuaibao, session: Session, definition_id: str, activity_id: str) -> str | None:
    info = activities_of(kb, session, definition_id).get(activity_id)
    return info.stage if info else None
