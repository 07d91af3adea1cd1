"""End to end with the real, unmodified Python external task client (`camunda-external-task-client-python3`)
against a running `kuaibao serve`: its ExternalTaskWorker long-polls, completes, fails and throws BPMN errors.

The worker loops forever (it has no stop), so each test subscribes it to a topic of its own in a daemon thread.
It re-polls at once on an empty list but sleeps 300 s after any error response, so a single response it cannot
take shows up here as a test that runs into its deadline.
"""
from __future__ import annotations

import re
import threading
import time
import uuid
import warnings

import pytest
import requests

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # the client's pydantic-1-style validators
    from camunda.external_task.external_task_worker import ExternalTaskWorker

from tests import diagrams

AUTH = ("demo", "demo")
CONFIG = {"auth_basic": {"username": "demo", "password": "demo"}, "maxTasks": 10, "lockDuration": 20_000,
          "asyncResponseTimeout": 2_000}  # short, so that stopping the server never waits for a parked poll
INSTANCES = 100


@pytest.fixture(scope="module")
def api(kuaibao_server) -> requests.Session:
    session = requests.Session()
    session.auth = AUTH
    session.base = kuaibao_server.base_url
    return session


def deploy(api, key: str, xml: bytes) -> None:
    r = api.post(f"{api.base}/deployment/create", data={"deployment-name": key},
                 files={"file": (f"{key}.bpmn", xml, "application/octet-stream")})
    assert r.status_code == 200, r.text


def start(api, key: str, variables: dict | None = None) -> str:
    r = api.post(f"{api.base}/process-definition/key/{key}/start", json={"variables": variables or {}})
    assert r.status_code == 200, r.text
    return r.json()["id"]


def subscribe(base_url: str, topic: str, handler) -> None:
    worker = ExternalTaskWorker(worker_id=f"e2e-{topic}", base_url=base_url, config=CONFIG)
    threading.Thread(target=worker.subscribe, args=(topic, handler), daemon=True, name=f"worker-{topic}").start()


def wait_for(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"timed out after {seconds} s waiting for {what}")


def assert_no_server_errors(server) -> None:
    """The access log shows every request the worker made; none may have failed on the server."""
    assert not re.search(r'" 5\d\d ', server.log()), server.log()[-5000:]


def test_the_python_worker_completes_a_hundred_instances(api, kuaibao_server):
    topic = f"pay-{uuid.uuid4().hex[:6]}"
    deploy(api, "e2e_pay", diagrams.service_process("e2e_pay", topic))
    subscribe(kuaibao_server.base_url, topic,
              lambda task: task.complete({"doubled": task.get_variable("n") * 2, "by": task.get_worker_id()}))
    instances = [start(api, "e2e_pay", {"n": {"value": i, "type": "Integer"}}) for i in range(INSTANCES)]

    def all_checked():
        r = api.get(f"{api.base}/task/count", params={"processDefinitionKey": "e2e_pay", "taskDefinitionKey": "check"})
        return r.json()["count"] == INSTANCES
    wait_for(all_checked, 45, f"{INSTANCES} instances to reach 'check'")
    assert api.get(f"{api.base}/external-task/count", params={"topicName": topic}).json() == {"count": 0}
    r = api.get(f"{api.base}/process-instance/{instances[21]}/variables")
    assert r.json()["doubled"]["value"] == 42 and r.json()["by"]["value"] == f"e2e-{topic}"
    assert_no_server_errors(kuaibao_server)


def test_a_failure_without_retries_raises_an_incident(api, kuaibao_server):
    topic = f"ledger-{uuid.uuid4().hex[:6]}"
    deploy(api, "e2e_ledger", diagrams.service_process("e2e_ledger", topic))
    subscribe(kuaibao_server.base_url, topic,
              lambda task: task.failure("ledger offline", "connection refused", max_retries=0, retry_timeout=0))
    pi = start(api, "e2e_ledger")
    [incident] = wait_for(lambda: api.get(f"{api.base}/incident", params={"processInstanceId": pi}).json(), 15,
                          "the incident")
    assert (incident["incidentType"], incident["incidentMessage"]) == ("failedExternalTask", "ledger offline")
    [task] = api.get(f"{api.base}/external-task", params={"processInstanceId": pi}).json()
    assert (task["id"], task["retries"]) == (incident["configuration"], 0)
    assert_no_server_errors(kuaibao_server)


def test_a_bpmn_error_from_the_worker_takes_the_error_boundary(api, kuaibao_server):
    topic = f"lookup-{uuid.uuid4().hex[:6]}"
    deploy(api, "e2e_lookup", diagrams.error_boundary_process("e2e_lookup", topic))
    subscribe(kuaibao_server.base_url, topic, lambda task: task.bpmn_error("NOT_FOUND", "no such account"))
    pi = start(api, "e2e_lookup")
    [task] = wait_for(lambda: api.get(f"{api.base}/task", params={"processInstanceId": pi}).json(), 15,
                      "the error path's user task")
    assert task["taskDefinitionKey"] == "handle"
    assert_no_server_errors(kuaibao_server)


def test_a_task_committed_by_another_process_wakes_a_parked_poll(api, database_url):
    """PostgreSQL: NOTIFY reaches the server's listener at once; SQLite: the server re-checks every second."""
    from app.services import instances
    from app.services.context import SYSTEM
    from app.wiring import build_services

    topic = f"notify-{uuid.uuid4().hex[:6]}"
    deploy(api, "e2e_notify", diagrams.service_process("e2e_notify", topic))
    kb = build_services({"database_url": database_url, "job_executor": "off"}, handlers={})
    answer: dict = {}

    def poll():
        began = time.monotonic()
        answer["tasks"] = api.post(f"{api.base}/external-task/fetchAndLock", json={
            "workerId": "poller", "maxTasks": 1, "asyncResponseTimeout": 10_000,
            "topics": [{"topicName": topic, "lockDuration": 10_000}]}).json()
        answer["seconds"] = time.monotonic() - began

    poller = threading.Thread(target=poll)
    poller.start()
    time.sleep(0.5)
    try:
        instances.start(kb, SYSTEM, instances.StartCommand(key="e2e_notify"))
    finally:
        kb.store.engine.dispose()
    poller.join(15)
    assert len(answer["tasks"]) == 1
    assert answer["seconds"] < (1.5 if kb.store.is_postgres else 2.5)
