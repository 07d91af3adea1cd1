"""The engine on its own: plain data in, plain data out (no Flask, no database)."""
from __future__ import annotations

import pytest

from app.engine.deployment import parse_deployment
from app.engine.errors import TaskFailed, TaskNotActive
from app.engine.runtime import Context, Engine
from app.engine.serializer import SpecBundle
from tests import diagrams
from tests.conftest import FIXTURES

CTX = Context("BK-1", "pi-1")


def bundle(xml: bytes, name: str = "p.bpmn") -> SpecBundle:
    return SpecBundle(parse_deployment({name: xml}).processes[0].spec_json)


@pytest.fixture
def review() -> SpecBundle:
    return bundle((FIXTURES / "bpmn/review/claim_review.bpmn").read_bytes(), "claim_review.bpmn")


def test_candidate_group_expression_is_evaluated_when_the_task_opens(review):
    outcome = Engine().start(review, {"region": "changchun", "amount": 12000}, CTX)
    [task] = outcome.opened
    assert task.candidate_groups == ("changchun-hrss",)
    assert task.priority == 80 and task.due is not None and task.form_key.startswith("embedded:")
    assert [f["id"] for f in task.form_fields] == ["approved", "comment"]


def test_juel_gateway_and_script_task_finish_the_instance(review):
    engine = Engine()
    started = engine.start(review, {"region": "jilin", "amount": 1000}, CTX, initiator=("starter", "ann"))
    done = engine.complete_user_task(review, started.state, started.opened[0].id, {"approved": True}, CTX)
    assert done.ended and done.closed == [started.opened[0].id]
    assert done.variables["benefit"] == 800.0 and done.variables["status"] == "approved"
    assert done.variables["starter"] == "ann"


def test_juel_condition_takes_the_other_branch(review):
    engine = Engine()
    started = engine.start(review, {"region": "jilin", "amount": 1000}, CTX)
    done = engine.complete_user_task(review, started.state, started.opened[0].id, {"approved": False}, CTX)
    assert done.variables["status"] == "rejected" and "benefit" not in done.variables


def test_completing_a_task_twice_is_refused(review):
    engine = Engine()
    started = engine.start(review, {"region": "jilin", "amount": 1}, CTX)
    done = engine.complete_user_task(review, started.state, started.opened[0].id, {"approved": True}, CTX)
    with pytest.raises(TaskNotActive):
        engine.complete_user_task(review, done.state, started.opened[0].id, {}, CTX)


def test_script_error_names_the_element_and_line():
    spec = bundle(diagrams.script_process("p", "a = 1\nb = a / 0"))
    with pytest.raises(TaskFailed) as info:
        Engine().start(spec, {}, CTX)
    assert info.value.element_id == "the_script" and info.value.line == 2
    assert "ZeroDivisionError" in str(info.value)


def test_runaway_loop_is_stopped_by_the_time_limit():
    from app.engine import sandbox
    spec = bundle(diagrams.script_process("p", "n = 0\nwhile n < 10:\n    pass"))
    with pytest.raises(TaskFailed) as info:
        Engine(limits=sandbox.Limits(time_seconds=0.2)).start(spec, {}, CTX)
    assert info.value.element_id == "the_script"


def test_handler_runs_in_process_for_its_topic():
    calls = []

    def handler(call):
        calls.append(dict(call.variables))
        assert (call.topic, call.activity_id, call.business_key, call.idempotency_key) == (
            "scoring", "call", "BK-1", "job-7")
        return {"score": call.variables["amount"] * 2}

    spec = bundle(diagrams.service_process("p", "scoring"))
    engine = Engine({"scoring": handler})
    started = engine.start(spec, {"amount": 21}, CTX)
    [job] = started.work_opened
    assert (job.kind, job.topic, calls) == ("handler", "scoring", [])  # a job for the executor, not run inline
    outcome = engine.run_handler(spec, started.state, job.task_id, CTX, "job-7")
    assert calls == [{"amount": 21}]
    assert outcome.variables["score"] == 42 and [t.activity_id for t in outcome.opened] == ["check"]
    assert [w.task_id for w in outcome.work_closed] == [job.task_id]


def test_topic_without_handler_waits_for_an_external_worker():
    outcome = Engine().start(bundle(diagrams.service_process("p", "payments")), {}, CTX)
    assert not outcome.ended and outcome.opened == []
    assert [(w.kind, w.activity_id, w.topic) for w in outcome.work_opened] == [("external", "call", "payments")]


def test_failing_handler_fails_the_command_with_context():
    def broken(_):
        raise RuntimeError("bank offline")

    spec = bundle(diagrams.service_process("p", "payments"))
    engine = Engine({"payments": broken})
    started = engine.start(spec, {}, CTX)
    with pytest.raises(TaskFailed) as info:
        engine.run_handler(spec, started.state, started.work_opened[0].task_id, CTX, "job-1")
    assert info.value.element_id == "call" and "bank offline" in str(info.value)


def test_set_variables_reaches_every_live_branch():
    spec = bundle(diagrams.parallel_process("p", 3))
    engine = Engine()
    started = engine.start(spec, {}, CTX)
    changed = engine.set_variables(spec, started.state, {"note": "x"}, [], CTX)
    state = changed.state
    for task in started.opened:
        state = engine.complete_user_task(spec, state, task.id, {f"v_{task.activity_id}": 1}, CTX).state
    final = engine.variables(spec, state)
    assert final["note"] == "x" and {"v_branch_0", "v_branch_1", "v_branch_2"} <= set(final)


def test_instances_do_not_share_spec_objects(review):
    a = review.new_workflow()
    b = review.new_workflow()
    assert a.spec is not b.spec


def test_manual_and_plain_tasks_pass_through_like_camunda():
    xml = diagrams.process("p", [("startEvent", "s", ""), ("manualTask", "m", 'name="Sign"'), ("task", "t", ""),
                                 ("endEvent", "e", "")], [("s", "m", None), ("m", "t", None), ("t", "e", None)])
    assert Engine().start(bundle(xml), {}, CTX).ended


def test_business_key_is_visible_to_expressions():
    xml = diagrams.user_task_process("p", 'camunda:assignee="${execution.getProcessBusinessKey()}"')
    assert Engine().start(bundle(xml), {}, Context("OUTLET-7", "pi")).opened[0].assignee == "OUTLET-7"


def event_subprocess(interrupting: bool) -> bytes:
    flag = "true" if interrupting else "false"
    xml = diagrams.process("p", [("startEvent", "s", ""), ("userTask", "main_work", ""), ("endEvent", "e1", "")],
                           [("s", "main_work", None), ("main_work", "e1", None)])
    sub = (f'<bpmn:subProcess id="evsub" triggeredByEvent="true"><bpmn:startEvent id="es" isInterrupting="{flag}">'
           '<bpmn:outgoing>h1</bpmn:outgoing><bpmn:messageEventDefinition messageRef="M" /></bpmn:startEvent>'
           '<bpmn:userTask id="cancel_work"><bpmn:incoming>h1</bpmn:incoming><bpmn:outgoing>h2</bpmn:outgoing>'
           '</bpmn:userTask><bpmn:endEvent id="ee"><bpmn:incoming>h2</bpmn:incoming></bpmn:endEvent>'
           '<bpmn:sequenceFlow id="h1" sourceRef="es" targetRef="cancel_work" />'
           '<bpmn:sequenceFlow id="h2" sourceRef="cancel_work" targetRef="ee" /></bpmn:subProcess>')
    xml = xml.replace(b"</bpmn:process>", sub.encode() + b"</bpmn:process>")
    return xml.replace(b'<bpmn:process id="p"', b'<bpmn:message id="M" name="cancel_me" /><bpmn:process id="p"')


def test_interrupting_event_subprocess_cancels_the_main_flow():
    spec = SpecBundle(parse_deployment({"p.bpmn": event_subprocess(True)}, validate_schema=False)
                      .processes[0].spec_json)
    engine = Engine()
    started = engine.start(spec, {}, CTX)
    assert ("MessageEventDefinition", "cancel_me") in {(s.event_type, s.name) for s in started.subscriptions}
    caught = engine.send_message(spec, started.state, "cancel_me", {"why": "withdrawn"}, CTX)
    assert [t.activity_id for t in caught.opened] == ["cancel_work"] and caught.closed == [started.opened[0].id]
    done = engine.complete_user_task(spec, caught.state, caught.opened[0].id, {}, CTX)
    assert done.ended


def test_non_interrupting_event_subprocess_runs_beside_the_main_flow():
    spec = SpecBundle(parse_deployment({"p.bpmn": event_subprocess(False)}, validate_schema=False)
                      .processes[0].spec_json)
    engine = Engine()
    started = engine.start(spec, {}, CTX)
    caught = engine.send_message(spec, started.state, "cancel_me", {}, CTX)
    assert [t.activity_id for t in caught.opened] == ["cancel_work"] and caught.closed == []
    side = engine.complete_user_task(spec, caught.state, caught.opened[0].id, {}, CTX)
    assert not side.ended
    done = engine.complete_user_task(spec, side.state, started.opened[0].id, {}, CTX)
    assert done.ended



def test_an_escalation_in_a_subprocess_reaches_its_boundary_event():
    """Escalation events (non-interrupting boundary on the subprocess): the subprocess goes on, a task opens."""
    H='''<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
    <bpmn:escalation id="Esc" name="Esc" escalationCode="X1"/>
    <bpmn:process id="p" isExecutable="true">'''
    xml = H + '''<bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:subProcess id="sub"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:startEvent id="ss"><bpmn:outgoing>g1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:intermediateThrowEvent id="esc"><bpmn:incoming>g1</bpmn:incoming><bpmn:outgoing>g2</bpmn:outgoing><bpmn:escalationEventDefinition escalationRef="Esc"/></bpmn:intermediateThrowEvent>
      <bpmn:userTask id="inner"><bpmn:incoming>g2</bpmn:incoming><bpmn:outgoing>g3</bpmn:outgoing></bpmn:userTask>
      <bpmn:endEvent id="se"><bpmn:incoming>g3</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="g1" sourceRef="ss" targetRef="esc"/><bpmn:sequenceFlow id="g2" sourceRef="esc" targetRef="inner"/><bpmn:sequenceFlow id="g3" sourceRef="inner" targetRef="se"/></bpmn:subProcess>
    <bpmn:boundaryEvent id="caught" attachedToRef="sub" cancelActivity="false"><bpmn:outgoing>f3</bpmn:outgoing><bpmn:escalationEventDefinition escalationRef="Esc"/></bpmn:boundaryEvent>
    <bpmn:userTask id="notified"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="e1"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent><bpmn:endEvent id="e2"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="sub"/><bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="e1"/>
    <bpmn:sequenceFlow id="f3" sourceRef="caught" targetRef="notified"/><bpmn:sequenceFlow id="f4" sourceRef="notified" targetRef="e2"/></bpmn:process></bpmn:definitions>'''
    started = Engine().start(bundle(xml.encode()), {}, CTX)
    assert sorted(t.activity_id for t in started.opened) == ["inner", "notified"]


def test_an_error_end_event_in_a_subprocess_is_caught_by_its_boundary_event():
    H='''<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
    <bpmn:error id="Err" name="Err" errorCode="E42"/><bpmn:escalation id="Esc" name="Esc" escalationCode="X1"/><bpmn:message id="M" name="cancel_me"/>
    <bpmn:process id="p" isExecutable="true">'''
    T='</bpmn:process></bpmn:definitions>'
    xml = H + '''<bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:subProcess id="sub"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:startEvent id="ss"><bpmn:outgoing>g1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:endEvent id="err_end"><bpmn:incoming>g1</bpmn:incoming><bpmn:errorEventDefinition errorRef="Err"/></bpmn:endEvent>
      <bpmn:sequenceFlow id="g1" sourceRef="ss" targetRef="err_end"/></bpmn:subProcess>
    <bpmn:boundaryEvent id="caught" attachedToRef="sub"><bpmn:outgoing>f3</bpmn:outgoing><bpmn:errorEventDefinition errorRef="Err"/></bpmn:boundaryEvent>
    <bpmn:userTask id="handle_error"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="e1"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent><bpmn:endEvent id="e2"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="sub"/><bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="e1"/>
    <bpmn:sequenceFlow id="f3" sourceRef="caught" targetRef="handle_error"/><bpmn:sequenceFlow id="f4" sourceRef="handle_error" targetRef="e2"/>''' + T
    started = Engine().start(bundle(xml.encode()), {}, CTX)
    assert [t.activity_id for t in started.opened] == ["handle_error"]
