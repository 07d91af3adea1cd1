"""The FEEL translator: decision table cells written in the Camunda Modeler become sandboxed Python."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from app.engine import feel, sandbox
from app.engine.feel import FeelError, translate_expression, translate_unary_tests


def matches(cell: str, value, **variables) -> bool:
    """Evaluate an input entry against an input value, as the DMN engine does."""
    python = translate_unary_tests(cell)
    sandbox.check_expression(python)
    return sandbox.evaluate(python, {**variables, feel.INPUT: value}, feel.HELPERS)


def value_of(text: str, **variables):
    """Evaluate a translated output entry or input expression."""
    python = translate_expression(text)
    sandbox.check_expression(python)
    return sandbox.evaluate(python, variables, feel.HELPERS)


@pytest.mark.parametrize("cell", ["-", "", "   "])
def test_dash_and_empty_cells_match_anything(cell):
    """'-' and an empty cell are 'any'."""
    assert translate_unary_tests(cell) == "True"


@pytest.mark.parametrize("cell,value,expected", [
    ('"gold"', "gold", True), ('"gold"', "silver", False), ("'gold'", "gold", True),
    ("42", 42, True), ("42", 41, False), ("007", 7, True), ("0.5", 0.5, True), ("-5", -5, True), ("1.5", 1.5, True),
    ("true", True, True), ("false", True, False), ("null", None, True), ("null", 0, False),
    ('"吉林"', "吉林", True),
])
def test_literals_compare_by_equality(cell, value, expected):
    """A literal cell matches an equal input."""
    assert matches(cell, value) is expected


@pytest.mark.parametrize("cell,value,expected", [
    (">= 100", 100, True), (">= 100", 99.5, False), ("> 100", 100, False), ("<90", 89, True),
    ("<= 30", 30, True), ("< -1", -2, True), ("= 1", 1, True), ("!= 1", 1, False), ('!= "x"', "y", True),
    ("!= null", 3, True), ("!= null", None, False),
])
def test_comparison_tests(cell, value, expected):
    """Comparison operators test the input against the endpoint."""
    assert matches(cell, value) is expected


@pytest.mark.parametrize("cell,inside,outside", [
    ("[250..1000]", [250, 600, 1000], [249, 1001]),
    ("(250..1000)", [251, 999], [250, 1000]),
    ("]250..1000[", [251, 999], [250, 1000]),
    ("[250..1000)", [250, 999], [1000]),
    ("(250..1000]", [1000], [250]),
    ("[-10..-1]", [-10, -1], [0, -11]),
])
def test_ranges_respect_inclusive_and_exclusive_ends(cell, inside, outside):
    """[ ] include an end; ( ) and outward ] [ exclude it."""
    assert all(matches(cell, v) for v in inside)
    assert not any(matches(cell, v) for v in outside)


def test_comma_separated_tests_are_a_disjunction():
    """'"a","b"' matches either string; '< 0, [5..6], > 10' any of the three."""
    assert matches('"Travel Expenses","Misc"', "Misc") and matches('"Travel Expenses", "Misc"', "Travel Expenses")
    assert not matches('"Travel Expenses","Misc"', "Software")
    cell = "< 0, [5..6], > 10"
    assert matches(cell, -1) and matches(cell, 5) and matches(cell, 11)
    assert not matches(cell, 7) and not matches(cell, 10)


def test_not_negates_a_list_of_tests():
    """not(...) matches what none of its tests match."""
    assert matches('not("Basic Package")', "Premium")
    assert not matches('not("Basic Package")', "Basic Package")
    assert matches("not([1..5], 9)", 7) and not matches("not([1..5], 9)", 9) and not matches("not([1..5], 9)", 3)


def test_names_and_paths_read_variables_and_dict_entries():
    """A name compares with a variable; a.b reads a dict entry (missing entries are null)."""
    assert matches("limit", 5, limit=5)
    assert matches("< customer.limit", 5, customer={"limit": 6})
    assert matches("customer.missing", None, customer={})


def test_an_expression_that_gives_a_list_matches_its_members():
    """A list literal or a list variable as a test matches any of its items (Camunda's FEEL)."""
    assert matches('["a", "b"]', "b") and not matches('["a", "b"]', "c")
    assert matches("allowed", 2, allowed=[1, 2]) and not matches("allowed", 3, allowed=[1, 2])
    assert matches("allowed", [1, 2], allowed=[1, 2])


def test_question_mark_is_the_input_value():
    """FEEL's ? lets a test be any boolean expression over the input."""
    assert matches("? > 5 and ? < 10", 7) and not matches("? > 5 and ? < 10", 10)


def test_strings_with_quotes_and_question_marks_stay_literal():
    """Quotes and '?' inside strings never reach Spiff's ?-rewrite (it counts quotes)."""
    python = translate_unary_tests('"it\'s ok?"')
    assert "'" not in python.replace("\\x27", "") and "?" not in python
    assert matches('"it\'s ok?"', "it's ok?") and matches(r'"say \"hi\""', 'say "hi"')


def test_date_literals_compare_with_dates_and_aware_datetimes():
    """date() and date and time() literals; a datetime compared with a date is compared by its day."""
    assert matches('date("2024-01-31")', date(2024, 1, 31))
    assert matches('date("2024-01-31")', datetime(2024, 1, 31, 9, 0, tzinfo=timezone.utc))
    assert matches('< date("2024-02-01")', datetime(2024, 1, 31, 23, 0, tzinfo=timezone.utc))
    assert matches('[date("2024-01-01")..date("2024-12-31")]', date(2024, 6, 1))
    assert matches('> date and time("2024-01-31T10:00:00")', datetime(2024, 1, 31, 11, 0, tzinfo=timezone.utc))
    assert not matches('> date and time("2024-01-31T10:00:00+01:00")', datetime(2024, 1, 31, 9, 0, tzinfo=timezone.utc))


def test_comparing_with_null_input_does_not_match():
    """A null input fails ordering tests instead of raising."""
    assert not matches("< 250", None) and not matches("[1..5]", None)


def test_comparing_incomparable_values_is_a_clear_error():
    """A string input against a number range raises an error naming both values."""
    with pytest.raises(TypeError, match="cannot compare str 'abc' with int 5"):
        matches("< 5", "abc")


@pytest.mark.parametrize("cell,value", [
    ("in ('a', 'b')", "a"), ('"PEANUTS" in ?', ["PEANUTS"]), ("100 <= ? <= 110", 105), ("== 5", 5),
])
def test_spiff_python_cells_keep_their_meaning(cell, value):
    """Cells that are not FEEL but valid Python work as they did in SpiffWorkflow."""
    assert matches(cell, value)


@pytest.mark.parametrize("text,variables,expected", [
    ("true", {}, True), ("null", {}, None), ('"x"', {}, "x"), ("0.004", {}, 0.004),
    ("amount * 2 + 1", {"amount": 3}, 7), ("a / 4 - 1", {"a": 10}, 1.5), ("2 ** 3", {}, 8),
    ("application.applicant.age", {"application": {"applicant": {"age": 40}}}, 40),
    ("a = 1 and b != 2", {"a": 1, "b": 3}, True), ("not(a) or b", {"a": True, "b": False}, False),
    ('if amount > 1000 then "manager" else "clerk"', {"amount": 5000}, "manager"),
    ("x between 1 and 5", {"x": 5}, True), ("[1, x, \"y\"]", {"x": 2}, [1, 2, "y"]),
    ('date("2024-01-31")', {}, date(2024, 1, 31)), ("d.year", {"d": date(2024, 1, 31)}, 2024),
    ("telephone[-4:]", {"telephone": "0431-1234"}, "1234"),
])
def test_expressions(text, variables, expected):
    """Output entries and input expressions: FEEL, or Python passed through unchanged."""
    assert value_of(text, **variables) == expected


@pytest.mark.parametrize("cell,message", [
    ("string length(name) > 3", "function call 'string length(…)' at column 1 is not supported"),
    ('contains(name, "x")', "function call 'contains(…)'"),
    ('date("31.01.2024")', "is not a valid date (use ISO 8601)"),
    ("[1..5", "expected ']', ')' or '[' to close the range at column 6"),
    ('"unterminated', "unexpected character"),
    ("for x in y return x", "'for' loops is not supported"),
    ("first name", "names with spaces ('first name') are not supported"),
])
def test_untranslatable_input_entries_are_refused_with_a_reason(cell, message):
    """FEEL we cannot translate (and that is not Python either) raises FeelError saying why."""
    with pytest.raises(FeelError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        translate_unary_tests(cell)


def test_question_mark_outside_input_entries_is_refused():
    """'?' is the input value, so it has no meaning in an output entry."""
    with pytest.raises(FeelError, match="only allowed in input entries"):
        translate_expression("? + 1")


def test_to_spiff_cell_replaces_only_the_input_name():
    """The input placeholder becomes Spiff's '?'; strings and other names are left alone."""
    assert feel.to_spiff_cell('(dmninput == "dmninput") or dmninputs') == '(? == "dmninput") or dmninputs'


def test_paths_never_reach_python_attributes():
    """a.b reads dict entries and a few date fields only, so x.__class__ cannot escape the sandbox."""
    assert value_of("x.__class__", x={}) is None
    with pytest.raises(TypeError, match="cannot read '__class__' of a date value"):
        value_of("x.__class__", x=date(2024, 1, 1))
    with pytest.raises(TypeError, match="cannot read 'upper' of a str value"):
        value_of("x.upper", x="abc")
