"""Deploy-time checks: Camunda dialect translation, located problems, and refusing diagram code that escapes."""
from __future__ import annotations

import pytest

from app.engine.deployment import parse_deployment
from app.engine.errors import DeploymentInvalid
from tests import diagrams
from tests.conftest import FIXTURES


def problems_of(resources: dict[str, bytes]):
    with pytest.raises(DeploymentInvalid) as info:
        parse_deployment(resources)
    return info.value.problems


def test_camunda_modeler_diagram_parses_with_its_metadata():
    """Name, version tag, TTL and the start event's initiator survive parsing."""
    parsed = parse_deployment({"claim_review.bpmn": (FIXTURES / "bpmn/review/claim_review.bpmn").read_bytes()})
    [p] = parsed.processes
    assert (p.key, p.version_tag, p.history_time_to_live) == ("claim_review", "1.0", 180)
    assert p.start_form["initiator"] == "starter"


@pytest.mark.parametrize("script", [
    "__import__('os').system('id')",
    "x = ().__class__.__bases__",
    "data = open('/etc/passwd').read()",
    "while True: pass",
    "import os",
    "eval('1+1')",
    "x = [c for c in ().__class__.__base__.__subclasses__()]",
    "getattr(x, 'y')",
])
def test_escape_attempt_in_script_is_refused_naming_the_element(script):
    """Every escape attempt is refused before anything runs, and the problem names the script task."""
    [problem] = problems_of({"evil.bpmn": diagrams.script_process("evil", script)})
    assert problem.element_id == "the_script"
    assert problem.resource == "evil.bpmn"
    assert problem.line is not None


def test_escape_attempt_in_a_condition_is_refused():
    """Gateway conditions are diagram code too."""
    xml = diagrams.process("p", [("startEvent", "s", ""), ("exclusiveGateway", "gw", 'default="Flow_2"'),
                                 ("endEvent", "e1", ""), ("endEvent", "e2", "")],
                           [("s", "gw", None), ("gw", "e1", "${x.__class__}"), ("gw", "e2", None)])
    problems = problems_of({"p.bpmn": xml})
    assert [p.element_id for p in problems] == ["Flow_1"]


def test_python_escape_in_assignment_expression_is_refused():
    """camunda:candidateGroups is evaluated code: it is checked at deploy."""
    xml = diagrams.user_task_process("p", 'camunda:candidateGroups="${__import__}"')
    [problem] = problems_of({"p.bpmn": xml})
    assert problem.element_id == "work" and "candidateGroups" in problem.message


def test_non_python_script_format_is_refused_with_a_reason():
    [problem] = problems_of({"js.bpmn": diagrams.script_process("js", "var x = 1;", "javascript")})
    assert "javascript" in problem.message and problem.element_id == "the_script"


def test_java_delegates_are_refused_not_ignored():
    xml = diagrams.process("p", [("startEvent", "s", ""),
                                 ("serviceTask", "svc", 'camunda:class="org.example.Delegate"'),
                                 ("endEvent", "e", "")], [("s", "svc", None), ("svc", "e", None)])
    [problem] = problems_of({"p.bpmn": xml})
    assert problem.element_id == "svc" and "camunda:class" in problem.message


def test_external_task_without_topic_is_refused():
    xml = diagrams.process("p", [("startEvent", "s", ""), ("serviceTask", "svc", 'camunda:type="external"'),
                                 ("endEvent", "e", "")], [("s", "svc", None), ("svc", "e", None)])
    assert "topic" in problems_of({"p.bpmn": xml})[0].message


def test_broken_juel_names_the_column():
    xml = diagrams.user_task_process("p", 'camunda:assignee="${a &gt; }"')
    [problem] = problems_of({"p.bpmn": xml})
    assert "column" in problem.message and problem.element_id == "work"


def test_entity_expansion_is_never_performed():
    """A DOCTYPE (billion laughs, XXE) is refused outright."""
    xml = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">&x;</bpmn:definitions>')
    [problem] = problems_of({"xxe.bpmn": xml})
    assert "DOCTYPE" in problem.message


def test_malformed_xml_reports_line():
    [problem] = problems_of({"bad.bpmn": b"<a>\n<b></a>"})
    assert problem.line == 2 and problem.resource == "bad.bpmn"


def test_schema_violation_reports_file_and_line():
    xml = diagrams.user_task_process("p").replace(b'<bpmn:userTask id="work"', b'<bpmn:userTask id="work" bogus:x="1" '
                                                  b'xmlns:bogus="urn:x"').replace(b"<bpmn:endEvent", b"<bpmn:notAnElement/><bpmn:endEvent", 1)
    [problem] = problems_of({"p.bpmn": xml})
    assert problem.resource == "p.bpmn" and problem.line


def test_non_executable_only_file_is_refused():
    xml = diagrams.user_task_process("p").replace(b'isExecutable="true"', b'isExecutable="false"')
    assert "executable" in problems_of({"p.bpmn": xml})[0].message


def test_call_activity_without_called_element_is_refused():
    xml = diagrams.process("main", [("startEvent", "s", ""), ("callActivity", "call", ""),
                                    ("endEvent", "e", "")], [("s", "call", None), ("call", "e", None)])
    [problem] = problems_of({"main.bpmn": xml})
    assert problem.element_id == "call" and "calledElement" in problem.message


def test_call_activity_target_may_be_deployed_later():
    """As in Camunda, the called process is resolved when the call activity is reached."""
    xml = diagrams.process("main", [("startEvent", "s", ""), ("callActivity", "call", 'calledElement="later"'),
                                    ("endEvent", "e", "")], [("s", "call", None), ("call", "e", None)])
    assert parse_deployment({"main.bpmn": xml}).processes[0].key == "main"


def test_single_variable_mappings_need_a_target():
    xml = diagrams.process("main", [("startEvent", "s", ""), ("callActivity", "call", 'calledElement="x"|'
                                     '<bpmn:extensionElements><camunda:in source="a" /></bpmn:extensionElements>'),
                                    ("endEvent", "e", "")], [("s", "call", None), ("call", "e", None)])
    assert "target" in problems_of({"main.bpmn": xml})[0].message


def test_unquoted_iso_timer_becomes_a_literal():
    """The Camunda Modeler writes PT5M bare; Spiff would evaluate it as Python."""
    xml = diagrams.process("t", [("startEvent", "s", ""),
                                 ("intermediateCatchEvent", "wait", '|<bpmn:timerEventDefinition><bpmn:timeDuration '
                                  'xsi:type="bpmn:tFormalExpression">PT5M</bpmn:timeDuration></bpmn:timerEventDefinition>'),
                                 ("endEvent", "e", "")], [("s", "wait", None), ("wait", "e", None)])
    assert parse_deployment({"t.bpmn": xml}).processes[0].key == "t"


def test_dmn_file_with_several_decisions_yields_each():
    dmn = b'''<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="rates" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="rate" name="Rate"><decisionTable id="t1"><input id="i1"><inputExpression id="e1" typeRef="string"><text>industry</text></inputExpression></input>
    <output id="o1" name="rate" typeRef="double"/><rule id="r1"><inputEntry id="c1"><text>"express"</text></inputEntry><outputEntry id="x1"><text>0.004</text></outputEntry></rule></decisionTable></decision>
  <decision id="grade" name="Grade"><decisionTable id="t2" hitPolicy="FIRST"><input id="i2"><inputExpression id="e2" typeRef="integer"><text>claims</text></inputExpression></input>
    <output id="o2" name="grade" typeRef="integer"/><rule id="r2"><inputEntry id="c2"><text>&gt; 3</text></inputEntry><outputEntry id="x2"><text>2</text></outputEntry></rule>
    <rule id="r3"><inputEntry id="c3"><text>-</text></inputEntry><outputEntry id="x3"><text>1</text></outputEntry></rule></decisionTable></decision>
</definitions>'''
    parsed = parse_deployment({"rates.dmn": dmn})
    assert [d.key for d in parsed.decisions] == ["rate", "grade"]


def test_unsupported_hit_policy_is_refused():
    dmn = b'''<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="d" namespace="x">
  <decision id="d1"><decisionTable id="t" hitPolicy="PRIORITY"><input id="i"><inputExpression id="e"><text>a</text></inputExpression></input>
  <output id="o" name="b"/><rule id="r"><inputEntry id="c"><text>1</text></inputEntry><outputEntry id="x"><text>2</text></outputEntry></rule></decisionTable></decision></definitions>'''
    assert "PRIORITY" in problems_of({"d.dmn": dmn})[0].message
