"""Camunda form fields are checked when a task is completed."""
from __future__ import annotations

import pytest

from app.services.forms import FormInvalid, validate
from app.services.typed_values import TypedValue

FIELDS = [
    {"id": "amount", "label": "金额", "type": "long",
     "validation": [{"name": "required", "config": None}, {"name": "min", "config": "1"}], "options": []},
    {"id": "decision", "label": "结论", "type": "enum", "validation": [{"name": "required", "config": None}],
     "options": [{"id": "accept", "name": "受理"}, {"id": "refuse", "name": "不予受理"}]},
    {"id": "note", "label": "备注", "type": "string", "validation": [{"name": "maxlength", "config": "5"}], "options": []},
    {"id": "paid", "label": "已付", "type": "boolean", "validation": [], "options": []},
]


def test_valid_submission_passes():
    validate(FIELDS, {"amount": TypedValue("Long", 5), "decision": TypedValue("String", "accept")}, {}, "t")


def test_required_field_may_already_be_set_on_the_instance():
    validate(FIELDS, {"decision": TypedValue("String", "refuse")}, {"amount": TypedValue("Long", 3)}, "t")


def test_every_problem_is_listed_with_the_fields_label():
    with pytest.raises(FormInvalid) as info:
        validate(FIELDS, {"amount": TypedValue("String", "five"), "note": TypedValue("String", "too long"),
                          "paid": TypedValue("String", "yes")}, {}, "受理审核")
    message = str(info.value)
    for expected in ("'金额' (amount): expected a whole number", "'结论' (decision) is required",
                     "'备注' (note): must have at most 5 characters", "'已付' (paid): expected true or false"):
        assert expected in message
    assert message.startswith("Cannot complete task '受理审核'")


def test_enum_and_minimum_are_enforced():
    with pytest.raises(FormInvalid, match="must be one of accept, refuse"):
        validate(FIELDS, {"amount": TypedValue("Long", 2), "decision": TypedValue("String", "maybe")}, {}, "t")
    with pytest.raises(FormInvalid, match="at least 1"):
        validate(FIELDS, {"amount": TypedValue("Long", 0), "decision": TypedValue("String", "accept")}, {}, "t")
