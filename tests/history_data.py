"""Many ended instances at once, for the history cleanup's test and benchmark: inserted directly with bulk
statements (running the engine 10,000 times would measure the engine, not the cleanup)."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import insert

from app.models import HistoryActivity, OperationLog, ProcessDefinition, ProcessInstance, TaskCandidate, Variable

CHUNK = 2000
ACTIVITIES = (("start", "startEvent"), ("work", "userTask"), ("end", "noneEndEvent"))


def ended_instances(kb, definition: ProcessDefinition, count: int, ended: datetime) -> None:
    """`count` COMPLETED instances of `definition` that ended at `ended`, with the rows a one-task case leaves:
    three activity instances, a candidate group, two variables and an operation log entry."""
    with kb.store.transaction() as s:
        for first in range(0, count, CHUNK):
            ids = [str(uuid.uuid4()) for _ in range(min(CHUNK, count - first))]
            s.execute(insert(ProcessInstance), [dict(
                id=i, definition_id=definition.id, definition_key=definition.key, state="COMPLETED", suspended=False,
                workflow="{}", version=3, start_time=ended - timedelta(hours=6), end_time=ended) for i in ids])
            s.execute(insert(HistoryActivity), [dict(
                id=f"{i}:{activity}", activity_id=activity, activity_type=kind, process_instance_id=i,
                process_definition_id=definition.id, process_definition_key=definition.key,
                root_process_instance_id=i, start_time=ended - timedelta(hours=6), end_time=ended, sequence=n,
                canceled=False) for i in ids for n, (activity, kind) in enumerate(ACTIVITIES)])
            s.execute(insert(TaskCandidate), [dict(task_id=f"{i}:work", group_id="workers") for i in ids])
            s.execute(insert(Variable), [dict(id=str(uuid.uuid4()), process_instance_id=i, name=name, type="String",
                                              value='"x"', text_value="x") for i in ids for name in ("a", "b")])
            s.execute(insert(OperationLog), [dict(
                id=str(uuid.uuid4()), operation_id=str(uuid.uuid4()), operation_type="Complete", entity_type="Task",
                category="TaskWorker", user_id="worker", timestamp=ended, process_instance_id=i,
                root_process_instance_id=i, process_definition_id=definition.id,
                process_definition_key=definition.key, task_id=f"{i}:work") for i in ids])
