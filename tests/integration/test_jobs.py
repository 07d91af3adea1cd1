"""The job executor: timers fire, async continuations run, failures retry into incidents, locks expire."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from app.jobs.executor import JobExecutor
from app.models import Incident, Job
from app.services import deployments, instances, jobs, tasks, variables
from app.services.context import SYSTEM
from app.services.task_queries import TaskQuery
from app.services.typed_values import TypedValue
from tests import diagrams


def deploy(kb, xml: bytes) -> None:
    deployments.deploy(kb, SYSTEM, deployments.DeployCommand(resources={"p.bpmn": xml}))


def start(kb, **values) -> str:
    return instances.start(kb, SYSTEM, instances.StartCommand(
        key="p", variables={k: TypedValue("String", v) for k, v in values.items()})).instance.id


def open_tasks(kb) -> list[str]:
    return sorted(t.task_definition_key for t in tasks.list_tasks(kb, SYSTEM, TaskQuery()))


def all_jobs(kb) -> list[Job]:
    return kb.read(lambda s: list(s.scalars(select(Job).order_by(Job.created))))


@pytest.fixture
def manual(kb):
    """Jobs run only when the test says so (not eagerly after each command)."""
    eager, kb.after_command = kb.after_command, None
    yield JobExecutor(kb)
    kb.after_command = eager


def timer_on_review(cancel: bool, duration: str = "PT1S") -> bytes:
    timer = (f'<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{duration}'
             '</bpmn:timeDuration></bpmn:timerEventDefinition>')
    return diagrams.process("p", [
        ("startEvent", "s", ""), ("userTask", "review", 'name="审核" camunda:candidateGroups="workers"'),
        ("boundaryEvent", "late", f'attachedToRef="review" cancelActivity="{str(cancel).lower()}"|{timer}'),
        ("userTask", "supervise", 'name="督办" camunda:candidateGroups="workers"'),
        ("endEvent", "done", ""), ("endEvent", "escalated", "")],
        [("s", "review", None), ("review", "done", None), ("late", "supervise", None), ("supervise", "escalated", None)])


def test_non_interrupting_boundary_timer_opens_the_supervisor_task_when_due(kb, manual):
    deploy(kb, timer_on_review(cancel=False))
    start(kb)
    [timer] = all_jobs(kb)
    assert timer.type == "timer" and timer.activity_id == "late"
    assert manual.run_due() == 0  # not due yet
    time.sleep(1.1)
    assert manual.run_due() == 1
    assert open_tasks(kb) == ["review", "supervise"]
    assert all_jobs(kb) == []


def test_interrupting_boundary_timer_cancels_the_task(kb, manual):
    deploy(kb, timer_on_review(cancel=True))
    start(kb)
    time.sleep(1.1)
    manual.run_due()
    assert open_tasks(kb) == ["supervise"]


def test_intermediate_timer_waits_then_continues(kb, manual):
    timer = ('<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">${wait}'
             '</bpmn:timeDuration></bpmn:timerEventDefinition>')
    deploy(kb, diagrams.process("p", [("startEvent", "s", ""), ("intermediateCatchEvent", "pause", f"|{timer}"),
                                      ("userTask", "after", 'camunda:candidateGroups="workers"'), ("endEvent", "e", "")],
                                [("s", "pause", None), ("pause", "after", None), ("after", "e", None)]))
    start(kb, wait="PT1S")
    assert open_tasks(kb) == []
    time.sleep(1.1)
    manual.run_due()
    assert open_tasks(kb) == ["after"]


def async_script(extra: str = "") -> bytes:
    return diagrams.process("p", [
        ("startEvent", "s", ""),
        ("scriptTask", "work", f'scriptFormat="python" camunda:asyncBefore="true" {extra}|'
                               '<bpmn:script>done = "yes"</bpmn:script>'),
        ("userTask", "next", 'camunda:candidateGroups="workers"'), ("endEvent", "e", "")],
        [("s", "work", None), ("work", "next", None), ("next", "e", None)])


def test_async_before_returns_at_once_and_the_executor_continues(kb, manual):
    deploy(kb, async_script())
    pi = start(kb)
    [job] = all_jobs(kb)
    assert job.type == "async" and job.activity_id == "work"
    assert "done" not in variables.get_variables(kb, SYSTEM, pi) and open_tasks(kb) == []
    assert manual.run_due() == 1
    assert variables.get_variable(kb, SYSTEM, pi, "done").value == "yes" and open_tasks(kb) == ["next"]


def test_failing_handler_retries_then_raises_an_incident_that_retries_resolve(kb, manual):
    attempts = []

    def flaky(call):
        attempts.append(call.idempotency_key)
        if len(attempts) <= 2:
            raise RuntimeError("bank offline")
        return {"paid": True}

    kb.engine.handlers["pay"] = flaky
    xml = diagrams.service_process("p", "pay").replace(
        b'camunda:topic="pay">', b'camunda:topic="pay"><bpmn:extensionElements><camunda:failedJobRetryTimeCycle>'
                                b'R2/PT0S</camunda:failedJobRetryTimeCycle></bpmn:extensionElements>')
    deploy(kb, xml)
    pi = start(kb)
    manual.run_due()
    [job] = all_jobs(kb)
    assert (job.retries, "bank offline" in job.exception_message) == (0, True)
    [incident] = kb.read(lambda s: list(s.scalars(select(Incident))))
    assert (incident.incident_type, incident.configuration, incident.process_instance_id) == ("failedJob", job.id, pi)
    assert len(set(attempts)) == 1  # the same idempotency key on every try
    jobs.set_retries(kb, SYSTEM, job.id, 1)
    assert kb.read(lambda s: list(s.scalars(select(Incident)))) == []
    manual.run_due()
    assert variables.get_variable(kb, SYSTEM, pi, "paid").value is True and open_tasks(kb) == ["check"]


def test_a_crashed_workers_job_runs_again_after_its_lock_expires(kb, manual):
    deploy(kb, async_script())
    pi = start(kb)
    crashed = JobExecutor(kb, lock_seconds=0.5)
    [job_id] = crashed.acquire()  # ... and never runs it
    other = JobExecutor(kb)
    assert other.acquire() == []
    time.sleep(0.6)
    assert other.acquire() == [job_id] and other.execute(job_id)
    assert variables.get_variable(kb, SYSTEM, pi, "done").value == "yes"


def test_one_instance_never_has_two_jobs_in_flight(kb, manual):
    kb.engine.handlers.update({"a": lambda call: None, "b": lambda call: None})
    deploy(kb, diagrams.process("p", [
        ("startEvent", "s", ""), ("parallelGateway", "fork", ""),
        ("serviceTask", "ta", 'camunda:type="external" camunda:topic="a"'),
        ("serviceTask", "tb", 'camunda:type="external" camunda:topic="b"'),
        ("parallelGateway", "join", ""), ("endEvent", "e", "")],
        [("s", "fork", None), ("fork", "ta", None), ("fork", "tb", None), ("ta", "join", None), ("tb", "join", None),
         ("join", "e", None)]))
    start(kb)
    first = manual.acquire(limit=1)
    assert len(first) == 1 and JobExecutor(kb).acquire() == []  # the sibling waits while one is in flight
    assert manual.execute(first[0])
    assert manual.run_due() == 1 and all_jobs(kb) == []


def test_jobs_over_rest(client, kb, manual):
    from tests.conftest import ADMIN
    kb.engine.handlers["pay"] = lambda call: (_ for _ in ()).throw(RuntimeError("no funds"))
    deploy(kb, diagrams.service_process("p", "pay").replace(
        b'camunda:topic="pay">', b'camunda:topic="pay"><bpmn:extensionElements><camunda:failedJobRetryTimeCycle>'
                                b'R1/PT0S</camunda:failedJobRetryTimeCycle></bpmn:extensionElements>'))
    start(kb)
    manual.run_due()
    [job] = client.get("/engine-rest/job?noRetriesLeft=true", headers=ADMIN).json
    assert job["retries"] == 0 and "no funds" in job["exceptionMessage"] and job["failedActivityId"] == "call"
    trace = client.get(f"/engine-rest/job/{job['id']}/stacktrace", headers=ADMIN)
    assert trace.mimetype == "text/plain" and "RuntimeError" in trace.get_data(as_text=True)
    assert client.put(f"/engine-rest/job/{job['id']}/retries", json={"retries": 2}, headers=ADMIN).status_code == 204
    assert client.get(f"/engine-rest/job/{job['id']}", headers=ADMIN).json["retries"] == 2
    assert client.put("/engine-rest/job/nope/retries", json={"retries": 2}, headers=ADMIN).status_code == 404


def started_by_timer(definition: str) -> bytes:
    return diagrams.process("p", [
        ("startEvent", "tick", f"|<bpmn:timerEventDefinition>{definition}</bpmn:timerEventDefinition>"),
        ("userTask", "work", 'camunda:candidateGroups="workers"'), ("endEvent", "e", "")],
        [("tick", "work", None), ("work", "e", None)])


def test_timer_start_event_starts_an_instance_when_due(kb, manual):
    deploy(kb, started_by_timer('<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1S</bpmn:timeDuration>'))
    [job] = all_jobs(kb)
    assert job.type == "timer-start" and job.process_instance_id is None
    assert manual.run_due() == 0
    time.sleep(1.1)
    assert manual.run_due() == 1
    assert open_tasks(kb) == ["work"] and all_jobs(kb) == []


def test_timer_start_cycle_starts_one_instance_per_repetition(kb, manual):
    deploy(kb, started_by_timer('<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">R2/PT1S</bpmn:timeCycle>'))
    time.sleep(1.1)
    manual.run_due()
    assert open_tasks(kb) == ["work"] and len(all_jobs(kb)) == 1
    time.sleep(1.1)
    manual.run_due()
    assert open_tasks(kb) == ["work", "work"] and all_jobs(kb) == []


def test_a_new_version_replaces_the_timer_start_of_the_old(kb, manual):
    deploy(kb, started_by_timer('<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1H</bpmn:timeDuration>'))
    deploy(kb, started_by_timer('<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT2H</bpmn:timeDuration>'))
    [job] = all_jobs(kb)
    assert job.process_definition_id.startswith("p:2:")


def test_statistics_count_waiting_instances_failed_jobs_and_incidents_per_activity(client, kb, manual):
    from tests.conftest import ADMIN
    kb.engine.handlers["pay"] = lambda call: (_ for _ in ()).throw(RuntimeError("no funds"))
    deploy(kb, diagrams.service_process("p", "pay").replace(
        b'camunda:topic="pay">', b'camunda:topic="pay"><bpmn:extensionElements><camunda:failedJobRetryTimeCycle>'
                                b'R1/PT0S</camunda:failedJobRetryTimeCycle></bpmn:extensionElements>'))
    start(kb), start(kb)
    manual.run_due()
    definition = client.get("/engine-rest/process-definition/key/p", headers=ADMIN).json
    stats = client.get(f"/engine-rest/process-definition/{definition['id']}/statistics?failedJobs=true&incidents=true",
                       headers=ADMIN).json
    assert stats == [{"id": "call", "instances": 2, "failedJobs": 2,
                      "incidents": [{"incidentType": "failedJob", "incidentCount": 2}]}]
    [overall] = client.get("/engine-rest/process-definition/statistics?incidents=true", headers=ADMIN).json
    assert (overall["id"], overall["instances"], overall["definition"]["key"]) == (definition["id"], 2, "p")
    assert overall["incidents"] == [{"incidentType": "failedJob", "incidentCount": 2}]


def test_a_cycle_boundary_timer_fires_once_per_repetition(kb, manual):
    cycle = ('<bpmn:timerEventDefinition><bpmn:timeCycle xsi:type="bpmn:tFormalExpression">R2/PT1S'
             '</bpmn:timeCycle></bpmn:timerEventDefinition>')
    deploy(kb, timer_on_review(cancel=False).replace(
        b'<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1S'
        b'</bpmn:timeDuration></bpmn:timerEventDefinition>', cycle.encode()))
    start(kb)
    for expected in (["review", "supervise"], ["review", "supervise", "supervise"]):
        time.sleep(1.1)
        manual.run_due()
        assert open_tasks(kb) == expected
    time.sleep(1.1)
    manual.run_due()
    assert open_tasks(kb) == ["review", "supervise", "supervise"] and all_jobs(kb) == []
