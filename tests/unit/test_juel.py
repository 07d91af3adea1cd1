"""Behaviour tests for the JUEL -> Python translator (app.engine.juel)."""
import ast

import pytest

from app.engine.juel import HELPERS, JuelError, is_juel, juel_get, juel_str, translate, translate_template


def run(text, **variables):
    """Translate ``text`` and evaluate it with only the helpers and variables visible."""
    return eval(translate(text), {"__builtins__": {}, **HELPERS, **variables})


# --- single expressions keep their natural value --------------------------------------------

def test_lone_variable_translates_to_bare_name():
    assert translate("${approved}") == "approved"
    assert run("${approved}", approved=True) is True


def test_deferred_hash_syntax_is_accepted():
    assert run("#{approved}", approved=False) is False


def test_surrounding_whitespace_keeps_natural_value():
    assert run("  ${amount}\n", amount=1500) == 1500


def test_lone_expression_can_yield_a_dict():
    assert run("${order}", order={"id": 1}) == {"id": 1}


# --- templates -----------------------------------------------------------------------------

def test_candidate_group_template_concatenates_region():
    assert translate("${region}-hrss") == "juel_str(region) + '-hrss'"
    assert run("${region}-hrss", region="changchun") == "changchun-hrss"


def test_template_mixes_several_expressions_and_literals():
    assert run("user-${id}-${kind}", id=42, kind="admin") == "user-42-admin"
    assert run("${a}${b}", a="x", b="y") == "xy"


def test_template_renders_null_as_empty_and_booleans_lowercase():
    assert run("flag=${f};none=${n}", f=True, n=None) == "flag=true;none="


def test_template_literal_text_with_quotes_is_escaped_safely():
    assert run("it's \"${x}\" \\ done", x=1) == "it's \"1\" \\ done"


def test_closing_brace_inside_string_literal_does_not_end_expression():
    assert run("${'a}b'}-x") == "a}b-x"


# --- logic and comparison ------------------------------------------------------------------

@pytest.mark.parametrize("amount, vip, expected", [
    (1500, False, True), (1500, True, False), (500, False, False),
])
def test_amount_over_limit_and_not_vip(amount, vip, expected):
    assert run("${amount > 1000 && !vip}", amount=amount, vip=vip) is expected


def test_logical_operators_coerce_string_false_like_camunda():
    assert run("${approved && true}", approved="false") is False
    assert run("${approved || false}", approved="TRUE") is True
    assert run("${!approved}", approved=None) is True


@pytest.mark.parametrize("score, blocked, expected", [(10, False, True), (9, False, False), (12, True, False)])
def test_word_operators_ge_and_not(score, blocked, expected):
    assert run("${score ge 10 and not blocked}", score=score, blocked=blocked) is expected


@pytest.mark.parametrize("text, expected", [
    ("${a == 1}", True), ("${a eq 1}", True), ("${a != 1}", False), ("${a ne 2}", True),
    ("${a < 2}", True), ("${a lt 1}", False), ("${a > 0}", True), ("${a gt 1}", False),
    ("${a <= 1}", True), ("${a le 0}", False), ("${a >= 1}", True), ("${a ge 2}", False),
    ("${a == 1 or a == 2}", True), ("${a == 2 || false}", False), ("${s == 'yes'}", True),
    ("${n == null}", True),
])
def test_comparison_operators(text, expected):
    assert run(text, a=1, s="yes", n=None) is expected


def test_and_binds_tighter_than_or():
    assert run("${true || false && false}") is True
    assert run("${(true || false) && false}") is False


@pytest.mark.parametrize("value, expected", [
    ([], True), (None, True), ("", True), ({}, True), ([1], False), ("x", False), ({"a": 1}, False), (0, False),
])
def test_empty_operator(value, expected):
    assert run("${empty list}", list=value) is expected
    assert run("${!empty list}", list=value) is (not expected)
    assert run("${not empty list}", list=value) is (not expected)


def test_ternary_picks_branch():
    assert run("${x == 'yes' ? 1 : 2}", x="yes") == 1
    assert run("${x == 'yes' ? 1 : 2}", x="no") == 2


def test_nested_ternary_is_right_associative():
    text = "${a ? 'A' : b ? 'B' : 'C'}"
    assert [run(text, a=a, b=b) for a, b in [(True, True), (False, True), (False, False)]] == ["A", "B", "C"]


# --- property and index access -------------------------------------------------------------

def test_nested_property_access_on_dicts():
    assert run("${a.b.c}", a={"b": {"c": 7}}) == 7


def test_bracket_access_with_strings_numbers_and_variables():
    data = {"b": [10, 20, {"k": "v"}]}
    assert run("${a['b'][1]}", a=data) == 20
    assert run('${a["b"][2].k}', a=data) == "v"
    assert run("${a[key][i]}", a=data, key="b", i=0) == 10


def test_missing_keys_out_of_range_and_null_base_give_null():
    assert run("${a.missing}", a={}) is None
    assert run("${a[5]}", a=[1]) is None
    assert run("${a.b.c}", a={"b": None}) is None


def test_property_access_refuses_non_collection_objects():
    with pytest.raises(JuelError, match="Cannot read property"):
        run("${a.real}", a=3)
    with pytest.raises(JuelError):
        juel_get(object(), "__class__")
    with pytest.raises(JuelError):
        juel_get(juel_get, "__globals__")


# --- arithmetic and + ----------------------------------------------------------------------

def test_plus_adds_numbers():
    assert run("${count + 1}", count=41) == 42
    assert run("${count + 1}", count=None) == 1


def test_plus_concatenates_when_a_side_is_a_string():
    assert run("${'n=' + count}", count=3) == "n=3"
    assert run("${name + ' ok'}", name=None) == " ok"
    assert run("${'x' + flag}", flag=False) == "xfalse"


@pytest.mark.parametrize("text, expected", [
    ("${7 / 2}", 3.5), ("${7 div 2}", 3.5), ("${7 % 3}", 1), ("${7 mod 3}", 1), ("${-7 % 3}", -1),
    ("${7.5 % 2}", 1.5), ("${2 * 3 - 1}", 5), ("${1 + 2 * 3}", 7), ("${(1 + 2) * 3}", 9),
    ("${-a}", -4), ("${- -a}", 4), ("${10 - 2 - 3}", 5), ("${1.5e2}", 150.0), ("${.5}", 0.5),
])
def test_arithmetic_follows_juel_precedence(text, expected):
    assert run(text, a=4) == expected


def test_literals():
    assert run("${true}") is True
    assert run("${false}") is False
    assert run("${null}") is None
    assert run("${007}") == 7
    assert run(r"${'it\'s'}") == "it's"
    assert run(r'${"say \"hi\""}') == 'say "hi"'
    assert run(r"${'back\\slash'}") == "back\\slash"


# --- execution methods ---------------------------------------------------------------------

def test_execution_get_variable_becomes_plain_variable():
    assert translate("${execution.getVariable('amount') > 5}") == "(amount > 5)"
    assert run('${execution.getVariable("amount") > 5}', amount=6) is True


def test_execution_business_key_becomes_business_key_variable():
    assert run("BK-${execution.getProcessBusinessKey()}", business_key="B1") == "BK-B1"


# --- translate_template / is_juel / caching ------------------------------------------------

def test_plain_attribute_text_is_a_string_literal():
    assert translate_template("managers") == repr("managers")
    assert eval(translate_template("it's a 'x'")) == "it's a 'x'"


def test_template_with_juel_matches_translate():
    assert translate_template("${initiator}") == translate("${initiator}") == "initiator"


def test_is_juel_detects_both_syntaxes():
    assert is_juel("${a}") and is_juel("x #{a}")
    assert not is_juel("managers") and not is_juel("$ {a}") and not is_juel("cost: $5")


def test_translate_is_cached():
    translate.cache_clear()
    translate("${cached_value}")
    translate("${cached_value}")
    assert translate.cache_info().hits >= 1


def test_juel_str_coercions():
    assert [juel_str(v) for v in (None, True, False, 2.0, 3, "s")] == ["", "true", "false", "2.0", "3", "s"]


# --- rejected forms ------------------------------------------------------------------------

def test_error_message_names_problem_and_column():
    with pytest.raises(JuelError) as info:
        translate("${a > }")
    assert str(info.value).startswith('Unexpected \'}\' at column 7 in "${a > }"')
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("text, fragment", [
    ("${a", "Unterminated '${' at column 1"),
    ("x #{a > 1", "Unterminated '#{' at column 3"),
    ("${}", "Empty expression"),
    ("${   }", "Empty expression"),
    ("${a @ b}", "Unexpected character '@' at column 5"),
    ("${a = b}", "Unexpected character '='"),
    ("${a &&}", "Unexpected '}' at column 7"),
    ("${|| a}", "Unexpected '||' at column 3"),
    ("${a +}", "Unexpected '}'"),
    ("${(a > 1}", "expected ')'"),
    ("${a > 1)}", "Unexpected ')' at column 8"),
    ("${a[0}", "expected ']'"),
    ("${a]}", "Unexpected ']'"),
    ("${a b}", "Unexpected 'b' at column 5"),
    ("${a ? b}", "expected ':'"),
    ("${a : b}", "Unexpected ':'"),
    ("${'abc}", "Unterminated string at column 3"),
    ("${a.}", "expected a property name"),
    ("${_secret}", "names starting with '_' are not allowed"),
    ("${a._b}", "names starting with '_' are not allowed"),
    ("${a['__class__']}", "names starting with '_' are not allowed"),
    ("${execution.getVariable('_x')}", "names starting with '_' are not allowed"),
    ("${fn:contains(list, 'x')}", "namespace prefix"),
    ("${foo.bar(1)}", "method calls are not supported: foo.bar(...)"),
    ("${execution.getVariableLocal('x')}", "method calls are not supported: execution.getVariableLocal(...)"),
    ("${execution.getVariable(name)}", "quoted variable name"),
    ("${execution.getVariable('my-var')}", "Invalid variable name 'my-var'"),
    ("${len(a)}", "function calls are not supported"),
    ("${class}", "reserved word"),
    ("${None}", "reserved word"),
    ("${a instanceof b}", "instanceof"),
    ("${1e999}", "too large"),
    ("no expression here", "No JUEL expression"),
])
def test_rejected_forms_raise_helpful_error(text, fragment):
    with pytest.raises(JuelError) as info:
        translate(text)
    assert fragment in str(info.value)
    assert f'in "{text}"' in str(info.value) or "No JUEL" in fragment


# --- sandbox safety of generated code ------------------------------------------------------

SAMPLES = [
    "${approved}", "${amount > 1000 && !vip}", "${region}-hrss", "user-${id}-${kind}", "${empty list}",
    "${a.b.c}", "${a['b'][0]}", "${x == 'yes' ? 1 : 2}", "${count + 1}", "${'n=' + count}",
    "${score ge 10 and not blocked}", "${execution.getVariable('amount') > 5}", "${-7 mod 3 / 2}",
    "${execution.getProcessBusinessKey()}", "it's ${a['__x' + y]} \"q\"",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_output_has_no_underscore_names_and_calls_only_helpers(text):
    tree = ast.parse(translate(text), mode="eval")
    for node in ast.walk(tree):
        assert not isinstance(node, (ast.Attribute, ast.Subscript, ast.Lambda, ast.NamedExpr))
        if isinstance(node, ast.Name):
            assert not node.id.startswith("_")
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name) and node.func.id in HELPERS


@pytest.mark.parametrize("text", SAMPLES)
def test_output_compiles_under_restricted_python(text):
    restricted = pytest.importorskip("RestrictedPython")
    result = restricted.compile_restricted_eval(translate(text))
    assert result.errors == ()
