"""Camunda typed variables: inference, conversion, wire format."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from app.services import typed_values as tv


@pytest.mark.parametrize("value,expected", [
    ("x", "String"), (True, "Boolean"), (7, "Integer"), (2**40, "Long"), (1.5, "Double"), (None, "Null"),
    ({"a": 1}, "Json"), ([1, 2], "Json"),
])
def test_untyped_values_are_inferred_as_camunda_does(value, expected):
    assert tv.from_rest("v", {"value": value}).type == expected


def test_lowercase_type_names_are_accepted_but_not_all_caps():
    assert tv.from_rest("v", {"value": "1", "type": "long"}) == tv.TypedValue("Long", 1, {})
    with pytest.raises(tv.VariableValueError):
        tv.from_rest("v", {"value": "{}", "type": "JSON"})


def test_out_of_range_integer_is_a_clear_error():
    with pytest.raises(tv.VariableValueError, match="Integer"):
        tv.from_rest("n", {"value": 2**40, "type": "Integer"})


def test_json_values_travel_as_strings_and_are_parsed_for_scripts():
    typed = tv.from_rest("j", {"value": '{"a": [1, 2]}', "type": "Json"})
    assert typed.value == {"a": [1, 2]}
    assert tv.to_rest(typed)["value"] == '{"a": [1, 2]}'


def test_dates_use_camundas_format_with_milliseconds_and_offset():
    typed = tv.from_rest("d", {"value": "2024-01-31T10:00:00.000+0100", "type": "Date"})
    assert typed.value == datetime(2024, 1, 31, 9, 0, tzinfo=timezone.utc)
    out = tv.to_rest(typed)["value"]
    assert datetime.strptime(out, "%Y-%m-%dT%H:%M:%S.%f%z") == typed.value


def test_declared_type_is_kept_while_the_value_still_fits():
    assert tv.infer(5, "Long") == "Long"
    assert tv.infer("five", "Long") == "String"


def test_storage_round_trip_keeps_type_and_value():
    for typed in (tv.TypedValue("Long", 5), tv.TypedValue("Json", {"k": [1]}), tv.TypedValue("Boolean", False),
                  tv.TypedValue("Date", datetime(2024, 5, 1, tzinfo=timezone.utc)), tv.TypedValue("Null", None)):
        cols = tv.to_columns(typed)
        assert tv.from_columns(cols["type"], cols["value"], cols["value_info"]) == typed
