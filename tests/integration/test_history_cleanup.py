"""History retention: ended instances leave once their time to live has passed, in short batches, with their whole
tree and every row that hangs on them; running work, recent history and the Jilin records stay."""
from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import func, or_, select, update

from app.jobs.executor import BackgroundExecutor
from app.jobs.history_schedule import CleanupSchedule
from app.models import (
    Authorization,
    Comment,
    HistoryActivity,
    JlEnrolment,
    JlOutlet,
    OperationLog,
    ProcessInstance,
    Task,
    TaskCandidate,
    Variable,
    utcnow,
)
from app.services import deployments, instances, tasks
from app.services.context import SYSTEM
from app.services.history_cleanup import cleanup
from app.services.task_queries import TaskQuery
from app.services.typed_values import TypedValue
from tests import diagrams, history_data
from tests.conftest import ADMIN, WORKER

DAY = timedelta(days=1)


def with_ttl(xml: bytes, days: int) -> bytes:
    return xml.replace(b'isExecutable="true"', f'isExecutable="true" camunda:historyTimeToLive="{days}"'.encode(), 1)


SHORT = with_ttl(diagrams.user_task_process("short"), 1)   # historyTimeToLive="1"
PLAIN = diagrams.user_task_process("plain")                 # none: HISTORY_TIME_TO_LIVE_DAYS (180)
SUB = with_ttl(diagrams.user_task_process("sub"), 1)


def caller(pid: str, wait_after_call: bool) -> bytes:
    nodes = [("startEvent", "s", ""), ("callActivity", "call", 'calledElement="sub"')]
    flows = [("s", "call", None)]
    if wait_after_call:
        nodes.append(("userTask", "after", 'camunda:candidateGroups="workers"'))
        flows += [("call", "after", None), ("after", "e", None)]
    else:
        flows.append(("call", "e", None))
    return with_ttl(diagrams.process(pid, nodes + [("endEvent", "e", "")], flows), 1)


def deploy(kb, **resources: bytes):
    result = deployments.deploy(kb, SYSTEM, deployments.DeployCommand(
        resources={f"{name}.bpmn": xml for name, xml in resources.items()}))
    return {d.key: d for d in result.processes}


def start(kb, key: str) -> str:
    return instances.start(kb, SYSTEM, instances.StartCommand(key=key, variables={
        "amount": TypedValue("Long", 5000), "region": TypedValue("String", "changchun")})).instance.id


def finish(kb, instance_id: str) -> None:
    """Complete the instance's open user task, with a comment and a generated authorization, as a case would."""
    [task] = tasks.list_tasks(kb, SYSTEM, TaskQuery(process_instance_id=instance_id))
    with kb.store.transaction() as s:
        root = s.scalar(select(func.coalesce(ProcessInstance.root_process_instance_id, ProcessInstance.id))
                        .where(ProcessInstance.id == instance_id))
        s.add(Comment(task_id=task.id, process_instance_id=instance_id, root_process_instance_id=root,
                      user_id="worker", message="checked"))
        s.add(Authorization(type=1, group_id="readers", resource_type=8, resource_id=root, permissions=2,
                            root_process_instance_id=root))
    tasks.complete(kb, SYSTEM, task.id, {})


def ended_ago(kb, age: timedelta, *instance_ids: str) -> None:
    with kb.store.transaction() as s:
        s.execute(update(ProcessInstance).where(ProcessInstance.id.in_(instance_ids))
                  .values(end_time=utcnow() - age))


def existing(kb, *instance_ids: str) -> set[str]:
    return set(kb.read(lambda s: s.scalars(select(ProcessInstance.id).where(ProcessInstance.id.in_(instance_ids)))))


def rows_of(kb, instance_id: str) -> dict[str, int]:
    """Every history row that hangs on one instance, by table."""
    def count(s, model, *conditions):
        return s.scalar(select(func.count()).select_from(model).where(or_(*conditions)))

    def work(s):
        activities = select(HistoryActivity.id).where(HistoryActivity.process_instance_id == instance_id)
        return {
            "history_activity": count(s, HistoryActivity, HistoryActivity.process_instance_id == instance_id,
                                      HistoryActivity.root_process_instance_id == instance_id),
            "task_candidate": count(s, TaskCandidate, TaskCandidate.task_id.in_(activities)),
            "variable": count(s, Variable, Variable.process_instance_id == instance_id),
            "operation_log": count(s, OperationLog, OperationLog.process_instance_id == instance_id,
                                   OperationLog.root_process_instance_id == instance_id),
            "authorization_rule": count(s, Authorization, Authorization.root_process_instance_id == instance_id),
            "comment": count(s, Comment, Comment.process_instance_id == instance_id),
        }
    return kb.read(work)


def test_instances_past_their_time_to_live_leave_with_all_their_rows(kb):
    deploy(kb, short=SHORT)
    old, recent, running = start(kb, "short"), start(kb, "short"), start(kb, "short")
    finish(kb, old)
    finish(kb, recent)
    ended_ago(kb, 2 * DAY, old)
    ended_ago(kb, DAY / 2, recent)
    before = rows_of(kb, old)
    assert all(before.values()), before  # the case left a row in every history table

    report = cleanup(kb)

    assert (report.removed_instances, report.batches) == (1, 1)
    assert existing(kb, old, recent, running) == {recent, running}
    assert not any(rows_of(kb, old).values())
    assert all(rows_of(kb, recent)[t] for t in ("history_activity", "variable", "task_candidate", "comment"))
    assert tasks.count_tasks(kb, SYSTEM, TaskQuery(process_instance_id=running)) == 1


def test_definition_without_time_to_live_keeps_history_for_the_setting(kb):
    assert kb.settings.history_time_to_live_days == 180
    deploy(kb, plain=PLAIN)
    half_year, two_days = start(kb, "plain"), start(kb, "plain")
    for instance_id in (half_year, two_days):
        finish(kb, instance_id)
    ended_ago(kb, 181 * DAY, half_year)
    ended_ago(kb, 2 * DAY, two_days)

    assert cleanup(kb).removed_instances == 1
    assert existing(kb, half_year, two_days) == {two_days}


def test_setting_of_zero_keeps_history_forever_but_a_definitions_own_zero_does_not(kb):
    deploy(kb, plain=PLAIN, at_once=with_ttl(diagrams.user_task_process("at_once"), 0))
    ancient, just_ended = start(kb, "plain"), start(kb, "at_once")
    for instance_id in (ancient, just_ended):
        finish(kb, instance_id)
    ended_ago(kb, 3650 * DAY, ancient)
    ended_ago(kb, timedelta(minutes=1), just_ended)
    settings = kb.settings
    kb.settings = replace(settings, history_time_to_live_days=0)
    try:
        assert cleanup(kb).removed_instances == 1
    finally:
        kb.settings = settings
    assert existing(kb, ancient, just_ended) == {ancient}

def test_called_instance_leaves_with_its_root_and_never_alone(kb):
    deploy(kb, sub=SUB, done=caller("done", wait_after_call=False), waiting=caller("waiting", wait_after_call=True))
    done, waiting = start(kb, "done"), start(kb, "waiting")
    children = dict(kb.read(lambda s: s.execute(select(ProcessInstance.super_process_instance_id, ProcessInstance.id)
                                                .where(ProcessInstance.super_process_instance_id.is_not(None))).all()))
    finish(kb, children[done])      # the child ends, then its caller
    finish(kb, children[waiting])   # the child ends; its caller waits at 'after'
    ended_ago(kb, 2 * DAY, done, children[done], children[waiting])

    assert cleanup(kb).removed_instances == 2
    assert existing(kb, done, children[done], waiting, children[waiting]) == {waiting, children[waiting]}
    assert not any(rows_of(kb, children[done]).values())
    assert rows_of(kb, children[waiting])["history_activity"]


def test_jilin_records_are_not_history(kb):
    deploy(kb, short=SHORT)
    old = start(kb, "short")
    finish(kb, old)
    ended_ago(kb, 30 * DAY, old)
    with kb.store.transaction() as s:
        s.add(JlOutlet(id="JL-T-1", name="测试网点", region="changchun", kind="terminal", has_employer_status=False,
                       flexible_staffing=True, uses_labour_dispatch=False, insured_before_notice=False,
                       status="enrolled", status_published_on=date(2024, 1, 1)))
        s.flush()
        s.add(JlEnrolment(outlet_id="JL-T-1", status="registered", process_instance_id=old))

    assert cleanup(kb).removed_instances == 1
    assert kb.read(lambda s: s.scalar(select(JlEnrolment.process_instance_id))) == old


def test_max_batches_bounds_one_run_and_the_next_run_goes_on(kb):
    deploy(kb, short=SHORT)
    ids = [start(kb, "short") for _ in range(5)]
    for instance_id in ids:
        finish(kb, instance_id)
    ended_ago(kb, 2 * DAY, *ids)

    first = cleanup(kb, batch_size=2, max_batches=2)
    assert (first.removed_instances, first.batches) == (4, 2)
    assert cleanup(kb, batch_size=2).removed_instances == 1
    assert existing(kb, *ids) == set()


def test_executor_cleans_up_one_interval_after_start_then_every_interval(kb):
    deploy(kb, short=SHORT)
    old = start(kb, "short")
    finish(kb, old)
    ended_ago(kb, 2 * DAY, old)
    clock = [1000.0]
    schedule = CleanupSchedule(kb, clock=lambda: clock[0])
    assert schedule.seconds_left() == 3600 and schedule.run_if_due() is None and existing(kb, old)

    clock[0] += 3600
    assert schedule.run_if_due().removed_instances == 1
    assert schedule.seconds_left() == 3600


def test_background_executor_runs_the_cleanup_when_it_is_due(kb):
    deploy(kb, short=SHORT)
    old = start(kb, "short")
    finish(kb, old)
    ended_ago(kb, 2 * DAY, old)
    background = BackgroundExecutor(kb)
    background.history.next_run = background.history.clock()  # due now instead of in an hour
    background.start()
    try:
        deadline = time.monotonic() + 10
        while existing(kb, old) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        background.stop.set()
        background.wake.set()
        background.thread.join(timeout=10)
    assert not existing(kb, old)
    assert background.history.seconds_left() > 3000  # and the next run is an interval away


# --- the must-show: 10,000 expired instances, cleaned in batches while the queue keeps answering ------------------

EXPIRED = 10_000


def test_cleanup_of_10000_expired_instances_runs_in_batches_while_task_queries_keep_answering(kb):
    definition = deploy(kb, short=SHORT)["short"]
    running = [start(kb, "short") for _ in range(5)]
    history_data.ended_instances(kb, definition, EXPIRED, ended=utcnow() - 2 * DAY)
    queue = TaskQuery(candidate_group="workers")
    assert tasks.count_tasks(kb, SYSTEM, queue) == 5

    result = {}
    worker = threading.Thread(target=lambda: result.update(report=cleanup(kb, batch_size=500)))
    answered = 0
    worker.start()
    while worker.is_alive():
        assert tasks.count_tasks(kb, SYSTEM, queue) == 5
        assert {t.process_instance_id for t in tasks.list_tasks(kb, SYSTEM, queue)} == set(running)
        answered += 1
    worker.join()

    report = result["report"]
    assert report.removed_instances == EXPIRED and report.batches >= 20
    assert answered > 5, f"only {answered} task queries answered during a {report.seconds:.1f} s cleanup"
    assert not any(kb.read(lambda s: rows_not_of(s, running)).values())
    assert existing(kb, *running) == set(running)
    assert tasks.count_tasks(kb, SYSTEM, queue) == 5


def rows_not_of(s, running: list[str]) -> dict[str, int]:
    def count(model, condition):
        return s.scalar(select(func.count()).select_from(model).where(condition))
    return {"process_instance": count(ProcessInstance, ProcessInstance.id.not_in(running)),
            "history_activity": count(HistoryActivity, HistoryActivity.process_instance_id.not_in(running)),
            "task_candidate": count(TaskCandidate, TaskCandidate.task_id.not_in(select(Task.id))),
            "variable": count(Variable, Variable.process_instance_id.not_in(running)),
            "operation_log": count(OperationLog, OperationLog.process_instance_id.not_in(running)),
            "task": count(Task, Task.process_instance_id.not_in(running))}


def test_two_cleaners_at_once_share_the_work_without_colliding(kb):
    definition = deploy(kb, short=SHORT)["short"]
    history_data.ended_instances(kb, definition, 2000, ended=utcnow() - 2 * DAY)
    reports, errors = [], []

    def clean():
        try:
            reports.append(cleanup(kb, batch_size=100))
        except Exception as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    cleaners = [threading.Thread(target=clean) for _ in range(2)]
    for cleaner in cleaners:
        cleaner.start()
    for cleaner in cleaners:
        cleaner.join()
    assert errors == []
    assert sum(r.removed_instances for r in reports) == 2000
    assert kb.read(lambda s: s.scalar(select(func.count()).select_from(ProcessInstance))) == 0


# --- REST ---------------------------------------------------------------------------------------------------------

def test_rest_cleanup_is_for_administrators(kb, client):
    deploy(kb, short=SHORT)
    old = start(kb, "short")
    finish(kb, old)
    ended_ago(kb, 2 * DAY, old)

    refused = client.post("/engine-rest/history/cleanup", headers=WORKER)
    assert refused.status_code == 403
    assert refused.json["type"] == "AuthorizationException" and refused.json["userId"] == "worker"
    assert existing(kb, old)

    r = client.post("/engine-rest/history/cleanup?immediatelyDue=true", headers=ADMIN)
    assert r.status_code == 200, r.json
    assert r.json == {"id": None, "removedInstances": 1, "batches": 1}
    assert not existing(kb, old)
