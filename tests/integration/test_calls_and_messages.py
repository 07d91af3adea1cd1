"""Call activities run as their own instances (Camunda semantics); messages reach waiting instances."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import EventSubscription, ProcessInstance
from app.services import deployments, instances, messages, tasks, variables
from app.services.context import SYSTEM
from app.services.errors import EngineFailure
from app.services.persistence import load_variables
from app.services.task_queries import TaskQuery
from app.services.typed_values import TypedValue
from tests import diagrams

CALLED = diagrams.process("review_outlet", [
    ("startEvent", "s", ""),
    ("userTask", "check", 'name="审核 ${outlet}" camunda:candidateGroups="${region}-ssb"'),
    ("scriptTask", "mark", 'scriptFormat="python"|<bpmn:script>result = outlet + " ok"</bpmn:script>'),
    ("endEvent", "e", "")], [("s", "check", None), ("check", "mark", None), ("mark", "e", None)])


def caller_xml(mi: bool = False) -> bytes:
    loop = ('<bpmn:multiInstanceLoopCharacteristics camunda:collection="${outlets}" camunda:elementVariable="outlet" />'
            if mi else "")
    ins = ('<camunda:in source="outlet" target="outlet" /><camunda:in source="region" target="region" />'
           '<camunda:in businessKey="${outlet}" /><camunda:out source="result" target="last_result" />')
    return diagrams.process("monthly", [
        ("startEvent", "s", ""),
        ("callActivity", "call", f'name="登记" calledElement="review_outlet"|<bpmn:extensionElements>{ins}'
                                 f'</bpmn:extensionElements>{loop}'),
        ("endEvent", "e", "")], [("s", "call", None), ("call", "e", None)])


def deploy(kb, resources):
    return deployments.deploy(kb, SYSTEM, deployments.DeployCommand(resources=resources))


def rows(kb, *where):
    return kb.read(lambda s: list(s.scalars(select(ProcessInstance).where(*where))))


def test_call_activity_starts_a_separate_instance_and_resumes_the_caller(kb):
    deploy(kb, {"called.bpmn": CALLED, "caller.bpmn": caller_xml()})
    caller = instances.start(kb, SYSTEM, instances.StartCommand(key="monthly", variables={
        "outlet": TypedValue("String", "JL-001"), "region": TypedValue("String", "jilin"),
        "secret": TypedValue("String", "not passed")})).instance
    [child] = rows(kb, ProcessInstance.super_process_instance_id == caller.id)
    assert (child.definition_key, child.business_key, child.root_process_instance_id) == (
        "review_outlet", "JL-001", caller.id)
    assert "secret" not in variables.get_variables(kb, SYSTEM, child.id)
    [task] = tasks.list_tasks(kb, SYSTEM, TaskQuery(candidate_group="jilin-ssb"))
    assert task.process_instance_id == child.id and task.name == "审核 JL-001"
    tasks.complete(kb, SYSTEM, task.id, {})
    assert [r.state for r in rows(kb, ProcessInstance.id.in_([caller.id, child.id]))] == ["COMPLETED"] * 2
    caller_vars = kb.read(lambda s: load_variables(s, caller.id))
    assert caller_vars["last_result"].value == "JL-001 ok" and "result" not in caller_vars


def test_multi_instance_call_activity_starts_one_instance_per_item(kb):
    deploy(kb, {"called.bpmn": CALLED, "caller.bpmn": caller_xml(mi=True)})
    caller = instances.start(kb, SYSTEM, instances.StartCommand(key="monthly", variables={
        "outlets": TypedValue("Json", ["A", "B", "C"]), "region": TypedValue("String", "jilin")})).instance
    children = rows(kb, ProcessInstance.super_process_instance_id == caller.id)
    assert sorted(c.business_key for c in children) == ["A", "B", "C"]
    for task in tasks.list_tasks(kb, SYSTEM, TaskQuery()):
        assert instances.get_instance(kb, SYSTEM, caller.id).state == "ACTIVE"
        tasks.complete(kb, SYSTEM, task.id, {})
    assert rows(kb, ProcessInstance.id == caller.id)[0].state == "COMPLETED"


def test_called_instance_that_ends_at_once_completes_the_caller_in_the_same_command(kb):
    quick = diagrams.script_process("review_outlet", "result = 'done'")
    deploy(kb, {"called.bpmn": quick, "caller.bpmn": caller_xml()})
    caller = instances.start(kb, SYSTEM, instances.StartCommand(key="monthly", variables={
        "outlet": TypedValue("String", "X"), "region": TypedValue("String", "jilin")})).instance
    assert rows(kb, ProcessInstance.id == caller.id)[0].state == "COMPLETED"


def test_missing_called_process_fails_the_start_and_stores_nothing(kb):
    deploy(kb, {"caller.bpmn": caller_xml()})
    with pytest.raises(EngineFailure, match="review_outlet"):
        instances.start(kb, SYSTEM, instances.StartCommand(key="monthly", variables={
            "outlet": TypedValue("String", "X"), "region": TypedValue("String", "jilin")}))
    assert rows(kb) == []


def test_cancelling_the_caller_cancels_what_it_called(kb):
    deploy(kb, {"called.bpmn": CALLED, "caller.bpmn": caller_xml()})
    caller = instances.start(kb, SYSTEM, instances.StartCommand(key="monthly", variables={
        "outlet": TypedValue("String", "X"), "region": TypedValue("String", "jilin")})).instance
    instances.delete_instance(kb, SYSTEM, caller.id)
    assert {r.state for r in rows(kb)} == {"EXTERNALLY_TERMINATED"}
    assert tasks.list_tasks(kb, SYSTEM, TaskQuery()) == []


WAITING = diagrams.process("claim", [
    ("startEvent", "s", ""),
    ("intermediateCatchEvent", "wait", '|<bpmn:messageEventDefinition messageRef="Message_supplemented" />'),
    ("userTask", "review", 'camunda:candidateGroups="workers"'),
    ("endEvent", "e", "")], [("s", "wait", None), ("wait", "review", None), ("review", "e", None)]
).replace(b'<bpmn:process id="claim"', b'<bpmn:message id="Message_supplemented" name="materials_supplemented" />'
          b'<bpmn:process id="claim"')

STARTED_BY_MESSAGE = diagrams.process("report", [
    ("startEvent", "s", '|<bpmn:messageEventDefinition messageRef="Message_report" />'),
    ("userTask", "handle", 'camunda:candidateGroups="workers"'), ("endEvent", "e", "")],
    [("s", "handle", None), ("handle", "e", None)]
).replace(b'<bpmn:process id="report"', b'<bpmn:message id="Message_report" name="accident_reported" />'
          b'<bpmn:process id="report"')


def start_claim(kb, key):
    return instances.start(kb, SYSTEM, instances.StartCommand(key="claim", business_key=key)).instance


def test_message_reaches_the_instance_with_that_business_key(kb):
    deploy(kb, {"claim.bpmn": WAITING})
    one, two = start_claim(kb, "C-1"), start_claim(kb, "C-2")
    subs = kb.read(lambda s: list(s.scalars(select(EventSubscription.event_name))))
    assert subs == ["materials_supplemented"] * 2
    [result] = messages.correlate(kb, SYSTEM, messages.MessageCommand(
        "materials_supplemented", business_key="C-2", variables={"pages": TypedValue("Integer", 3)}))
    assert result.instance.id == two.id
    [task] = tasks.list_tasks(kb, SYSTEM, TaskQuery())
    assert task.process_instance_id == two.id
    assert variables.get_variable(kb, SYSTEM, two.id, "pages").value == 3
    assert kb.read(lambda s: s.scalar(select(EventSubscription.process_instance_id))) == one.id


def test_ambiguous_message_is_refused_unless_all(kb):
    deploy(kb, {"claim.bpmn": WAITING})
    start_claim(kb, "C-1"), start_claim(kb, "C-2")
    with pytest.raises(messages.NoCorrelation, match="2 executions"):
        messages.correlate(kb, SYSTEM, messages.MessageCommand("materials_supplemented"))
    assert len(messages.correlate(kb, SYSTEM, messages.MessageCommand("materials_supplemented", all=True))) == 2
    with pytest.raises(messages.NoCorrelation, match="No process definition or execution"):
        messages.correlate(kb, SYSTEM, messages.MessageCommand("materials_supplemented", ttl_ms=0))


def test_message_start_event_starts_the_latest_definition(kb):
    deploy(kb, {"report.bpmn": STARTED_BY_MESSAGE})
    [result] = messages.correlate(kb, SYSTEM, messages.MessageCommand(
        "accident_reported", business_key="A-9", variables={"who": TypedValue("String", "courier")}))
    assert result.result_type == "ProcessDefinition" and result.instance.business_key == "A-9"
    assert variables.get_variable(kb, SYSTEM, result.instance.id, "who").value == "courier"
    [task] = tasks.list_tasks(kb, SYSTEM, TaskQuery())
    assert (task.process_instance_id, task.task_definition_key) == (result.instance.id, "handle")


def test_correlation_keys_match_process_variables(kb):
    deploy(kb, {"claim.bpmn": WAITING})
    for key, claim_no in (("C-1", 7), ("C-2", 8)):
        pi = start_claim(kb, key).id
        variables.modify_variables(kb, SYSTEM, pi, {"claim_no": TypedValue("Integer", claim_no)})
    [result] = messages.correlate(kb, SYSTEM, messages.MessageCommand(
        "materials_supplemented", correlation_keys={"claim_no": TypedValue("Integer", 8)}))
    assert result.instance.business_key == "C-2"


EARLY = diagrams.process("claim", [
    ("startEvent", "s", ""),
    ("scriptTask", "prepare", 'scriptFormat="python" camunda:asyncBefore="true"|<bpmn:script>ready = True</bpmn:script>'),
    ("receiveTask", "wait", 'messageRef="Message_supplemented"'),
    ("userTask", "review", 'camunda:candidateGroups="workers"'),
    ("endEvent", "e", "")], [("s", "prepare", None), ("prepare", "wait", None), ("wait", "review", None),
                             ("review", "e", None)]
).replace(b'<bpmn:process id="claim"', b'<bpmn:message id="Message_supplemented" name="materials_supplemented" />'
          b'<bpmn:process id="claim"')


def test_a_message_sent_before_the_receive_task_is_reached_is_delivered(kb):
    """Beyond Camunda 7: the message is kept (with a time-to-live) until its receiver waits for it."""
    deploy(kb, {"claim.bpmn": EARLY})
    eager, kb.after_command = kb.after_command, None
    try:
        pi = start_claim(kb, "C-9").id  # still before the receive task: its async step has not run
        [kept] = messages.correlate(kb, SYSTEM, messages.MessageCommand(
            "materials_supplemented", business_key="C-9", variables={"pages": TypedValue("Integer", 4)}))
        assert kept.result_type == "Buffered"
        import time
        time.sleep(0.1)
        from app.jobs.executor import JobExecutor
        JobExecutor(kb).run_due()
    finally:
        kb.after_command = eager
    [task] = tasks.list_tasks(kb, SYSTEM, TaskQuery())
    assert (task.process_instance_id, task.task_definition_key) == (pi, "review")
    assert variables.get_variable(kb, SYSTEM, pi, "pages").value == 4


def test_an_expired_message_is_not_delivered(kb):
    deploy(kb, {"claim.bpmn": EARLY})
    eager, kb.after_command = kb.after_command, None
    try:
        pi = start_claim(kb, "C-10").id
        messages.correlate(kb, SYSTEM, messages.MessageCommand("materials_supplemented", business_key="C-10",
                                                               ttl_ms=50))
        import time
        time.sleep(0.1)
        from app.jobs.executor import JobExecutor
        JobExecutor(kb).run_due()
    finally:
        kb.after_command = eager
    assert tasks.list_tasks(kb, SYSTEM, TaskQuery()) == []
    subs = kb.read(lambda s: list(s.scalars(select(EventSubscription.event_name)
                                            .where(EventSubscription.process_instance_id == pi))))
    assert subs == ["materials_supplemented"]


SIGNALS = diagrams.process("alarm", [
    ("startEvent", "s", ""),
    ("intermediateCatchEvent", "wait", '|<bpmn:signalEventDefinition signalRef="Signal_stop" />'),
    ("userTask", "after", 'camunda:candidateGroups="workers"'), ("endEvent", "e", "")],
    [("s", "wait", None), ("wait", "after", None), ("after", "e", None)]
).replace(b'<bpmn:process id="alarm"', b'<bpmn:signal id="Signal_stop" name="stop_all" /><bpmn:process id="alarm"')

STARTED_BY_SIGNAL = diagrams.process("on_stop", [
    ("startEvent", "s", '|<bpmn:signalEventDefinition signalRef="Signal_stop" />'),
    ("userTask", "react", 'camunda:candidateGroups="workers"'), ("endEvent", "e", "")],
    [("s", "react", None), ("react", "e", None)]
).replace(b'<bpmn:process id="on_stop"', b'<bpmn:signal id="Signal_stop" name="stop_all" /><bpmn:process id="on_stop"')


def test_a_signal_reaches_every_waiting_instance_and_starts_its_processes(kb):
    from app.services import signals
    deploy(kb, {"alarm.bpmn": SIGNALS, "on_stop.bpmn": STARTED_BY_SIGNAL})
    for key in ("A", "B"):
        instances.start(kb, SYSTEM, instances.StartCommand(key="alarm", business_key=key))
    reached = signals.throw(kb, SYSTEM, "stop_all", {"why": TypedValue("String", "storm")})
    assert sorted(i.definition_key for i in reached) == ["alarm", "alarm", "on_stop"]
    assert sorted(t.task_definition_key for t in tasks.list_tasks(kb, SYSTEM, TaskQuery())) == [
        "after", "after", "react"]
