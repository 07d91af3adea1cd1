"""Decision tables as Camunda users draw them: FEEL cells, hit policies, result variables, standalone evaluation."""
from __future__ import annotations

from datetime import datetime, timezone
from xml.sax.saxutils import escape

import pytest

from app.engine.decisions import DecisionFailed, evaluate_decision
from app.engine.deployment import parse_deployment
from app.engine.errors import DeploymentInvalid, TaskFailed
from app.engine.runtime import Context, Engine
from app.engine.serializer import SpecBundle
from tests import diagrams

CTX = Context("BK-1", "pi-1")
DMN_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def table(decision_id: str, inputs: list[str], outputs: list[str], rules: list[tuple[list[str], list[str]]],
          hit_policy: str = "UNIQUE", aggregation: str | None = None) -> str:
    """One <decision> with a decision table; cell ids are in_<rule>_<col> and out_<rule>_<col>."""
    agg = f' aggregation="{aggregation}"' if aggregation else ""
    head = "".join(f'<input id="{decision_id}_i{n}" label="{escape(e)}"><inputExpression id="{decision_id}_e{n}" '
                   f'typeRef="string"><text>{escape(e)}</text></inputExpression></input>' for n, e in enumerate(inputs))
    head += "".join(f'<output id="{decision_id}_o{n}" name="{o}" typeRef="string"/>' for n, o in enumerate(outputs))
    body = "".join(
        f'<rule id="{decision_id}_r{r}">'
        + "".join(f'<inputEntry id="in_{r}_{c}"><text>{escape(t)}</text></inputEntry>' for c, t in enumerate(ins))
        + "".join(f'<outputEntry id="out_{r}_{c}"><text>{escape(t)}</text></outputEntry>' for c, t in enumerate(outs))
        + "</rule>" for r, (ins, outs) in enumerate(rules))
    return (f'<decision id="{decision_id}" name="{decision_id}"><decisionTable id="{decision_id}_table" '
            f'hitPolicy="{hit_policy}"{agg}>{head}{body}</decisionTable></decision>')


def dmn(*decisions: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="{DMN_NS}" id="defs" name="d" '
            f'namespace="http://camunda.org/schema/1.0/dmn">' + "".join(decisions) + "</definitions>").encode()


def rule_process(decision_ref: str, attrs: str = "") -> bytes:
    """start -> business rule task 'decide' -> end."""
    return diagrams.process("p", [("startEvent", "start", ""),
                                  ("businessRuleTask", "decide", f'name="Decide" camunda:decisionRef="{decision_ref}" {attrs}'),
                                  ("endEvent", "end", "")],
                            [("start", "decide", None), ("decide", "end", None)])


def run(dmn_xml: bytes, variables: dict, decision_ref: str = "approver", attrs: str = "") -> dict:
    parsed = parse_deployment({"p.bpmn": rule_process(decision_ref, attrs), "d.dmn": dmn_xml})
    outcome = Engine().start(SpecBundle(parsed.processes[0].spec_json), variables, CTX)
    assert outcome.ended
    return outcome.variables


def problems_of(resources: dict[str, bytes]):
    with pytest.raises(DeploymentInvalid) as info:
        parse_deployment(resources)
    return info.value.problems


APPROVER = dmn(table("approver", ["amount", "category"], ["group"], [
    (["< 250", '"Misc", "Travel Expenses"'], ['"accounting"']),
    (["[250..1000]", "-"], ['"team-lead"']),
    (["]1000..5000[", "-"], ['"manager"']),
    ([">= 5000", 'not("Software License Costs")'], ['"director"']),
    (["-", "-"], ['"board"']),
]))


@pytest.mark.parametrize("amount,category,group", [
    (100, "Misc", "accounting"), (100, "Travel Expenses", "accounting"), (100, "Software", "board"),
    (250, "Misc", "team-lead"), (1000, "Software", "team-lead"), (1000.5, "Misc", "manager"),
    (5000, "Misc", "director"), (5000, "Software License Costs", "board"),
])
def test_feel_table_with_ranges_and_string_lists_picks_the_right_rule(amount, category, group):
    """Ranges, comparisons, string lists and not() select the rule Camunda would select."""
    assert run(APPROVER, {"amount": amount, "category": category})["group"] == group


def test_first_hit_policy_returns_the_first_matching_rule():
    """FIRST stops at the first rule that matches, in table order."""
    xml = dmn(table("approver", ["amount"], ["group"], [([">= 100"], ['"big"']), ([">= 10"], ['"medium"'])],
                    hit_policy="FIRST"))
    assert run(xml, {"amount": 500})["group"] == "big"
    assert run(xml, {"amount": 50})["group"] == "medium"


COLLECTED = [(["-"], ['"audit"']), ([">= 100"], ['"manager"']), ([">= 1000"], ['"board"'])]


@pytest.mark.parametrize("policy", ["COLLECT", "RULE ORDER"])
def test_collect_and_rule_order_return_every_matching_rule_in_order(policy):
    """COLLECT (and RULE ORDER) give every match; without a result variable, a list per output."""
    xml = dmn(table("approver", ["amount"], ["group"], COLLECTED, hit_policy=policy))
    assert run(xml, {"amount": 500})["group"] == ["audit", "manager"]


@pytest.mark.parametrize("mapping,expected", [
    ("singleEntry", "manager"),
    ("singleResult", {"group": "manager", "level": 2}),
    ("collectEntries", ["manager"]),
    ("resultList", [{"group": "manager", "level": 2}]),
    (None, [{"group": "manager", "level": 2}]),
])
def test_result_variable_holds_the_result_as_map_decision_result_says(mapping, expected):
    """camunda:resultVariable receives the result shaped by camunda:mapDecisionResult (default resultList)."""
    outputs = ["group"] if mapping in ("singleEntry", "collectEntries") else ["group", "level"]
    cells = ['"manager"'] if len(outputs) == 1 else ['"manager"', "2"]
    xml = dmn(table("approver", ["amount"], outputs, [(["< 10"], ['"clerk"', "1"][:len(outputs)]), ([">= 10"], cells)]))
    attrs = 'camunda:resultVariable="approval"' + (f' camunda:mapDecisionResult="{mapping}"' if mapping else "")
    variables = run(xml, {"amount": 50}, attrs=attrs)
    assert variables["approval"] == expected
    assert "group" not in variables  # with a result variable the outputs are not merged into the variables


def test_collect_entries_and_result_list_with_several_matches():
    """collectEntries lists the single output over all matched rules."""
    xml = dmn(table("approver", ["amount"], ["group"], COLLECTED, hit_policy="COLLECT"))
    attrs = 'camunda:resultVariable="groups" camunda:mapDecisionResult="collectEntries"'
    assert run(xml, {"amount": 5000}, attrs=attrs)["groups"] == ["audit", "manager", "board"]


def test_single_entry_with_several_matches_fails_the_task():
    """singleEntry cannot hold two results: the task fails naming the element."""
    xml = dmn(table("approver", ["amount"], ["group"], COLLECTED, hit_policy="COLLECT"))
    attrs = 'camunda:resultVariable="group" camunda:mapDecisionResult="singleEntry"'
    with pytest.raises(TaskFailed, match="needs at most one matching rule, but 2 matched") as info:
        run(xml, {"amount": 500}, attrs=attrs)
    assert info.value.element_id == "decide"


def test_no_match_gives_null_for_single_mappings_and_empty_lists_otherwise():
    """A decision without a matching rule maps to null (single*) or [] (lists)."""
    xml = dmn(table("approver", ["amount"], ["group"], [([">= 100"], ['"big"'])]))
    assert run(xml, {"amount": 1}, attrs='camunda:resultVariable="r" camunda:mapDecisionResult="singleEntry"')["r"] is None
    assert run(xml, {"amount": 1}, attrs='camunda:resultVariable="r"')["r"] == []


@pytest.mark.parametrize("aggregation,expected", [("SUM", 6), ("MIN", 1), ("MAX", 3), ("COUNT", 3)])
def test_collect_aggregations(aggregation, expected):
    """COLLECT SUM/MIN/MAX/COUNT reduce the single output over the matched rules."""
    xml = dmn(table("approver", ["x"], ["score"], [(["> 0"], ["1"]), (["> 1"], ["2"]), (["> 2"], ["3"]),
                                                     (["> 100"], ["100"])], hit_policy="COLLECT", aggregation=aggregation))
    assert run(xml, {"x": 50})["score"] == expected
    assert run(xml, {"x": 50}, attrs='camunda:resultVariable="r" camunda:mapDecisionResult="singleEntry"')["r"] == expected


def test_date_input_compares_with_an_aware_datetime_variable():
    """Camunda Date variables are aware datetimes; FEEL date literals compare with them by day."""
    xml = dmn(table("approver", ["submitted"], ["late"], [(['< date("2024-02-01")'], ["false"]), (["-"], ["true"])]))
    assert run(xml, {"submitted": datetime(2024, 1, 31, 23, 30, tzinfo=timezone.utc)})["late"] is False
    assert run(xml, {"submitted": datetime(2024, 2, 1, 0, 30, tzinfo=timezone.utc)})["late"] is True


def test_input_expression_paths_read_nested_json_variables():
    """application.applicant.age reads nested dicts, as Camunda's JSON variables are read."""
    xml = dmn(table("approver", ["application.applicant.age"], ["group"], [(["< 18"], ['"minor"']), (["-"], ['"adult"'])]))
    assert run(xml, {"application": {"applicant": {"age": 17}}})["group"] == "minor"


def test_unsupported_feel_is_refused_at_deploy_naming_the_cell():
    """A FEEL function call cannot be translated: the problem names the cell id and line."""
    xml = dmn(table("approver", ["name"], ["ok"], [(["string length(name) > 3"], ["true"])]))
    [problem] = problems_of({"d.dmn": xml})
    assert problem.resource == "d.dmn" and problem.element_id == "in_0_0" and problem.line == 2
    assert "string length" in problem.message and "not supported" in problem.message


def test_untranslatable_output_entry_is_refused_naming_the_cell():
    """Output entries are translated too; a FEEL function call there is refused with the cell id."""
    xml = dmn(table("approver", ["x"], ["y"], [(["-"], ['upper case("x")'])]))
    [problem] = problems_of({"d.dmn": xml})
    assert problem.element_id == "out_0_0" and "upper case" in problem.message


@pytest.mark.parametrize("policy,aggregation,message", [
    ("PRIORITY", None, "hit policy PRIORITY is not supported"),
    ("ANY", None, "hit policy ANY is not supported"),
    ("FIRST", "SUM", "hit policy FIRST with aggregation SUM is not supported"),
])
def test_unsupported_hit_policies_are_refused(policy, aggregation, message):
    """Only UNIQUE, FIRST, COLLECT (optionally aggregated) and RULE ORDER deploy."""
    xml = dmn(table("approver", ["x"], ["y"], [(["1"], ["2"])], hit_policy=policy, aggregation=aggregation))
    [problem] = problems_of({"d.dmn": xml})
    assert message in problem.message and problem.element_id == "approver_table"


def test_invalid_map_decision_result_is_refused_at_deploy():
    """An unknown camunda:mapDecisionResult names the business rule task."""
    problems = problems_of({"p.bpmn": rule_process("approver", 'camunda:resultVariable="r" camunda:mapDecisionResult="all"'),
                            "d.dmn": APPROVER})
    assert problems[0].element_id == "decide" and "mapDecisionResult 'all'" in problems[0].message


def test_single_entry_on_a_table_with_two_outputs_is_refused_at_deploy():
    """singleEntry needs exactly one output column."""
    xml = dmn(table("approver", ["x"], ["a", "b"], [(["1"], ["2", "3"])]))
    problems = problems_of({"p.bpmn": rule_process("approver", 'camunda:resultVariable="r" '
                                                               'camunda:mapDecisionResult="singleEntry"'), "d.dmn": xml})
    assert problems[0].element_id == "decide" and "one output" in problems[0].message


def test_spiff_python_cells_still_work():
    """Tables written for SpiffWorkflow (Python cells with ?) deploy and run unchanged."""
    xml = dmn(table("approver", ["allergies"], ["verdict"], [(['"PEANUTS" in ?'], ['"no"']), (["-"], ['"yes"'])]))
    assert run(xml, {"allergies": ["PEANUTS"]})["verdict"] == "no"
    assert run(xml, {"allergies": []})["verdict"] == "yes"


def test_evaluate_decision_works_standalone():
    """evaluate_decision evaluates one decision of a DMN document outside any workflow."""
    xml = dmn(table("other", ["x"], ["y"], [(["-"], ["1"])]),
              table("approver", ["amount"], ["group", "level"], [
                  (["< 100"], ['"clerk"', "1"]), ([">= 100"], ['"manager"', "2"]), ([">= 1000"], ['"board"', "3"])],
                  hit_policy="COLLECT"))
    assert evaluate_decision(xml, "approver", {"amount": 5000}) == [{"group": "manager", "level": 2},
                                                                     {"group": "board", "level": 3}]
    assert evaluate_decision(xml, "approver", {"amount": 5}) == [{"group": "clerk", "level": 1}]
    assert evaluate_decision(APPROVER, "approver", {"amount": 1, "category": "Misc"}) == [{"group": "accounting"}]


def test_evaluate_decision_reports_unknown_decisions_and_failing_cells():
    """A missing decision id and a cell that fails at run time raise DecisionFailed."""
    with pytest.raises(DecisionFailed, match="no decision 'nope'.*approver"):
        evaluate_decision(APPROVER, "nope", {})
    with pytest.raises(DecisionFailed, match="cannot compare str 'lots' with int 250"):
        evaluate_decision(APPROVER, "approver", {"amount": "lots", "category": "Misc"})


def test_evaluate_decision_refuses_untranslatable_tables():
    """Standalone evaluation applies the same deploy-time checks."""
    xml = dmn(table("approver", ["x"], ["y"], [(['contains(x, "a")'], ["1"])]))
    with pytest.raises(DeploymentInvalid) as info:
        evaluate_decision(xml, "approver", {"x": "a"})
    assert info.value.problems[0].element_id == "in_0_0"


def test_business_rule_task_spec_survives_storage_with_its_aggregation():
    """The spec is stored under its own typename with the aggregation; an instance reloaded later still runs."""
    xml = dmn(table("approver", ["x"], ["score"], [(["> 0"], ["1"]), (["> 1"], ["2"])], hit_policy="COLLECT",
                    aggregation="SUM"))
    task = 'name="Decide" camunda:decisionRef="approver" camunda:resultVariable="total" ' \
           'camunda:mapDecisionResult="singleEntry"'
    bpmn = diagrams.process("p", [("startEvent", "start", ""), ("userTask", "wait", 'name="Wait"'),
                                  ("businessRuleTask", "decide", task), ("endEvent", "end", "")],
                            [("start", "wait", None), ("wait", "decide", None), ("decide", "end", None)])
    spec_json = parse_deployment({"p.bpmn": bpmn, "d.dmn": xml}).processes[0].spec_json
    assert '"typename":"KuaibaoBusinessRuleTask"' in spec_json and '"aggregation":"SUM"' in spec_json
    engine, bundle = Engine(), SpecBundle(spec_json)
    started = engine.start(bundle, {"x": 5}, CTX)
    done = engine.complete_user_task(bundle, started.state, started.opened[0].id, {}, CTX)
    assert done.ended and done.variables["total"] == 3
