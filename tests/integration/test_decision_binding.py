"""Managers change a decision table by deploying it again: processes use the latest version, as in Camunda."""
from __future__ import annotations

from app.services import deployments, instances, variables
from app.services.context import SYSTEM
from app.services.typed_values import TypedValue
from tests import diagrams

RATE_DMN = '''<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="rates" name="rates" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="rate" name="费率"><decisionTable id="t" hitPolicy="FIRST">
    <input id="i"><inputExpression id="ie" typeRef="integer"><text>industry_class</text></inputExpression></input>
    <output id="o" name="rate" typeRef="string" />
    <rule id="r1"><inputEntry id="c1"><text>[1..2]</text></inputEntry><outputEntry id="x1"><text>"RATE"</text></outputEntry></rule>
    <rule id="r2"><inputEntry id="c2"><text>-</text></inputEntry><outputEntry id="x2"><text>"0.01"</text></outputEntry></rule>
  </decisionTable></decision>
</definitions>'''

PROCESS = diagrams.process("assess", [
    ("startEvent", "s", ""),
    ("businessRuleTask", "lookup", 'name="费率" camunda:decisionRef="rate" camunda:resultVariable="rate" '
                                   'camunda:mapDecisionResult="singleEntry"'),
    ("userTask", "look", 'camunda:candidateGroups="workers"'),
    ("endEvent", "e", "")], [("s", "lookup", None), ("lookup", "look", None), ("look", "e", None)])


def deploy(kb, resources):
    return deployments.deploy(kb, SYSTEM, deployments.DeployCommand(resources=resources))


def rate_of_new_instance(kb) -> str:
    pi = instances.start(kb, SYSTEM, instances.StartCommand(key="assess", variables={
        "industry_class": TypedValue("Integer", 2)
    })).instance.id
    return variables.get_variable(kb, SYSTEM, pi, "rate").value


def test_redeployed_decision_reaches_the_existing_process_definition(kb):
    deploy(kb, {"rates.dmn": RATE_DMN.replace("RATE", "0.004").encode(), "assess.bpmn": PROCESS})
    assert rate_of_new_instance(kb) == "0.004"
    deploy(kb, {"rates.dmn": RATE_DMN.replace("RATE", "0.005").encode()})
    assert rate_of_new_instance(kb) == "0.005"


def test_process_may_reference_a_decision_deployed_earlier(kb):
    deploy(kb, {"rates.dmn": RATE_DMN.replace("RATE", "0.004").encode()})
    deploy(kb, {"assess.bpmn": PROCESS})
    assert rate_of_new_instance(kb) == "0.004"
