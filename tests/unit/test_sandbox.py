"""Behaviour tests for the diagram-code sandbox (app.engine.sandbox)."""
import sys
import threading
import time
import traceback
from datetime import datetime
from decimal import Decimal

import pytest

from app.engine import sandbox
from app.engine.sandbox import (
    Limits,
    SandboxError,
    SandboxResourceError,
    SandboxTimeout,
    SandboxViolation,
    check_expression,
    check_script,
    compile_expression,
    evaluate,
    execute,
)

FAST = Limits(time_seconds=0.5)


def refused(call, *args, **kwargs):
    """Run `call`; return the SandboxViolation it raises (the test fails if it does not)."""
    with pytest.raises(SandboxViolation) as info:
        call(*args, **kwargs)
    return info.value


# --- static checks: refused at deploy time, before anything runs ----------------------------

def test_import_is_refused_before_running():
    err = refused(check_script, "import os")
    assert str(err) == "line 1: import statements are not allowed in diagram scripts"
    assert err.line == 1
    refused(check_script, "x = 1\nfrom os import path")


def test_refused_script_does_not_run_at_all():
    variables = {}
    refused(execute, "ran = True\nimport os", variables)
    assert variables == {}


@pytest.mark.parametrize("source", [
    "__import__('os')",
    "().__class__.__bases__",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "open('/etc/passwd')",
    "eval('1')",
    "exec('x = 1')",
    "getattr(x, 'y')",
    "x.__dict__",
    "type(x)",
    "vars()",
    "globals()",
    "compile('1', 'f', 'eval')",
    "super()",
    "object()",
    "(x for x in [1]).gi_frame",
])
def test_escape_attempt_is_refused_statically(source):
    refused(check_expression, source)
    refused(evaluate, source, {"x": 1})


def test_forbidden_builtin_is_named_in_the_message():
    assert "name 'open' is not allowed" in str(refused(check_expression, "open('/etc/passwd')"))
    assert "'__class__'" in str(refused(check_expression, "x.__class__"))


@pytest.mark.parametrize("source", [
    "while True: pass",
    "while 1:\n    x = 1",
    "while True:\n    for i in range(3):\n        break",
])
def test_obvious_infinite_loop_is_refused_at_deploy_time(source):
    assert "infinite loop" in str(refused(check_script, source))


@pytest.mark.parametrize("source", [
    "while True:\n    break",
    "n = 0\nwhile True:\n    n += 1\n    if n > 3:\n        break",
    "def f():\n    while True:\n        return 1",
])
def test_while_true_with_a_way_out_is_accepted(source):
    check_script(source)


@pytest.mark.parametrize("source", [
    "global x",
    "def f():\n    nonlocal x",
    "class A:\n    pass",
    "async def f():\n    pass",
    "def f():\n    yield 1",
    "with x:\n    pass",
    "x.y = 1",
    "del x.y",
    "l[0:1] = [1, 2]",
    "try:\n    pass\nexcept pick():\n    pass",
])
def test_forbidden_statement_is_refused(source):
    refused(check_script, source)


def test_syntax_error_becomes_violation_with_line():
    err = refused(check_script, "x = 1\ny = (\n")
    assert err.line == 2 and "syntax error" in str(err)


def test_first_problem_by_line_is_reported():
    err = refused(check_script, "x = 1\ny = z.__class__\nimport os\n")
    assert err.line == 2


def test_line_numbers_follow_the_raw_script_text():
    err = refused(check_script, "\n    total = 1\n    import os\n")
    assert err.line == 3


@pytest.mark.parametrize("source", ["f'{x:{w}}'", "f'{x:>100000}'", "f'{x:.99999f}'"])
def test_f_string_with_dynamic_or_huge_format_spec_is_refused(source):
    refused(check_expression, source)


def test_print_is_refused_in_expressions_but_collected_in_scripts():
    refused(check_expression, "print(x)")
    variables = {}
    execute("print('hello', 42)\nout = printed", variables)
    assert variables == {"out": "hello 42\n"}


@pytest.mark.parametrize("source", [
    "'{0.__class__}'.format(1)",
    "str.format('{0.__class__}', 1)",
    "'{x.__class__}'.format_map({'x': 1})",
    "'{0.__globals__}'.format(f)",
])
def test_string_format_escape_never_leaks(source):
    with pytest.raises(SandboxError):
        evaluate(source, {"f": len})


# --- run time: restricted access ------------------------------------------------------------

def test_attributes_of_functions_and_modules_are_refused_at_runtime():
    import math
    refused(evaluate, "helper.anything", {}, {"helper": lambda: 1})
    refused(evaluate, "m.sys", {}, {"m": math})
    assert evaluate("m.floor(2.5)", {}, {"m": math}) == 2
    refused(evaluate, "(x for x in []).close", {})
    refused(evaluate, "ValueError.mro()", {})


def test_writes_only_into_plain_containers():
    variables = {"d": {}, "l": [0], "t": (1, 2)}
    execute("d['a'] = 1\nl[0] = 5\nl.append(6)", variables)
    assert variables["d"] == {"a": 1} and variables["l"] == [5, 6]
    refused(execute, "t[0] = 3", variables)


def test_evaluate_refuses_to_return_functions_or_iterators():
    refused(evaluate, "lambda: 1", {})
    refused(evaluate, "(x for x in [1])", {})
    refused(evaluate, "map(str, [1])", {})


# --- run time: bounded time -----------------------------------------------------------------

def test_non_constant_infinite_loop_times_out():
    started = time.monotonic()
    with pytest.raises(SandboxTimeout):
        execute("n = 0\nwhile n < 10:\n    pass", {}, limits=FAST)
    assert time.monotonic() - started < 1.5


def test_infinite_comprehension_in_an_expression_times_out():
    with pytest.raises(SandboxTimeout):
        evaluate("[x for x in range(10**6) for y in range(10**6)]", {}, limits=Limits(time_seconds=0.2))


@pytest.mark.parametrize("source", [
    "n = 0\ntry:\n    while n < 10: pass\nexcept Exception:\n    while n < 10: pass",
    "n = 0\ntry:\n    while n < 10: pass\nexcept:\n    pass\nwhile n < 10: pass",
    "n = 0\ntry:\n    while n < 10: pass\nfinally:\n    while n < 10: pass",
    "def f():\n    try:\n        while n < 10: pass\n    finally:\n        return 1\nn = 0\nf()\nwhile n < 10: pass",
])
def test_script_cannot_swallow_its_timeout(source):
    started = time.monotonic()
    with pytest.raises(SandboxTimeout):
        execute(source, {}, limits=Limits(time_seconds=0.2))
    assert time.monotonic() - started < 1.0


def test_recursion_cannot_knock_out_the_deadline():
    """A RecursionError raised while CPython calls the tracer silently uninstalls it; a script that
    catches that error must not be able to run on without a deadline."""
    script = ("def h(n):\n    try:\n        return h(n + 1) + sum(k for k in [1])\n"
              "    except Exception:\n        return 0\n"
              "h(0)\nn = 0\nwhile n < 10:\n    pass")
    outcome = []

    def run():
        try:
            execute(script, {}, limits=Limits(time_seconds=0.3))
        except SandboxError as e:
            outcome.append(e)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(5)
    assert not worker.is_alive() and outcome


def test_tracer_is_restored_after_timeout():
    def previous_tracer(frame, event, arg):
        return None

    sys.settrace(previous_tracer)
    try:
        with pytest.raises(SandboxTimeout):
            execute("n = 0\nwhile n < 10: pass", {}, limits=Limits(time_seconds=0.1))
        assert sys.gettrace() is previous_tracer
        with pytest.raises(ValueError):
            execute("raise ValueError('x')", {})
        assert sys.gettrace() is previous_tracer
    finally:
        sys.settrace(None)


def test_concurrent_scripts_have_their_own_deadlines():
    results = {}

    def run(name, seconds):
        started = time.monotonic()
        try:
            execute("n = 0\nwhile n < 10:\n    n = n * 1", {}, limits=Limits(time_seconds=seconds))
        except SandboxTimeout:
            results[name] = time.monotonic() - started

    threads = [threading.Thread(target=run, args=("short", 0.3)), threading.Thread(target=run, args=("long", 1.2))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert 0.3 <= results["short"] < 1.0
    assert 1.2 <= results["long"] < 2.5


# --- run time: bounded memory ----------------------------------------------------------------

@pytest.mark.parametrize("source", [
    "'x' * 10**9",
    "[0] * 10**9",
    "10 ** 10 ** 10",
    "1 << 10**8",
    "range(10**9)",
    "'a'.ljust(10**9)",
    "'a'.zfill(10**9)",
    "str.center('a', 10**9)",
    "','.join(['x' * 999999] * 10)",
    "('x' * 1000).replace('', 'y' * 1000)",
    "'%999999999d' % 1",
    "'%s' * 10 % tuple(['x' * 200000] * 10)",
    "int(Decimal('1e999999'))",
    "round(5, -10**9)",
    "sum([[0] * 1000] * 1000, [])",
])
def test_huge_object_is_refused_quickly(source):
    started = time.monotonic()
    with pytest.raises((SandboxResourceError, SandboxViolation)):
        evaluate(source, {})
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize("script", [
    "s = 'x'\nfor i in range(40):\n    s = s + s",
    "l = [0]\nfor i in range(40):\n    l += l",
    "l = [0]\nfor i in range(40):\n    l.extend(l)",
    "l = [0]\nfor i in range(40):\n    l = [*l, *l]",
    "n = 3\nfor i in range(40):\n    n = n * n",
])
def test_repeated_doubling_is_stopped(script):
    with pytest.raises(SandboxResourceError):
        execute(script, {})


def test_variables_that_would_serialise_huge_are_refused():
    variables = {"keep": 1}
    with pytest.raises(SandboxResourceError):
        execute("a = [0] * 1000\nb = [a] * 1000\nc = [b] * 1000", variables)
    assert variables == {"keep": 1}


def test_small_limits_are_honoured():
    tight = Limits(max_items=100)
    assert evaluate("'x' * 100", {}, limits=tight) == "x" * 100
    with pytest.raises(SandboxResourceError):
        evaluate("'x' * 101", {}, limits=tight)


# --- normal business code works --------------------------------------------------------------

@pytest.mark.parametrize("source, expected", [
    ("amount > 1000", True),
    ("amount * 2 + 1", 3001),
    ("amount // 7, amount % 7", (214, 2)),
    ("[x * 2 for x in items if x > 1]", [4, 6]),
    ("{k: v for k, v in zip(['a', 'b'], items)}", {"a": 1, "b": 2}),
    ("datetime(2024, 1, 2) + timedelta(days=3)", datetime(2024, 1, 5)),
    ("Decimal('1.10') * 2", Decimal("2.20")),
    ("isinstance(Decimal('1'), Decimal) and isinstance(1, int)", True),
    ("' Hello World '.strip().upper().split()", ["HELLO", "WORLD"]),
    ("'-'.join(['a', 'b', 'c'])", "a-b-c"),
    ("str(order_id).zfill(6)", "000042"),
    ("sorted(rows, key=lambda r: r['x'])", [{"x": 1}, {"x": 2}]),
    ("max(items), min(items), sum(items), len(items), abs(-2), round(2.567, 2)", (3, 1, 6, 3, 2, 2.57)),
    ("f'{name}: {amount:>8.2f}'", "Li:  1500.00"),
    ("'%s owes %d' % (name, amount)", "Li owes 1500"),
    ("juel_str(name) + '-hrss'", "Li-hrss"),
    ("date.today().year >= 2024", True),
    ("datetime.strptime('2024-03-01', '%Y-%m-%d').month", 3),
])
def test_business_expression_works(source, expected):
    variables = {"amount": 1500, "items": [1, 2, 3], "rows": [{"x": 2}, {"x": 1}], "name": "Li", "order_id": 42}
    helpers = {"juel_str": str}
    assert evaluate(source, variables, helpers) == expected


def test_business_script_works():
    variables = {"orders": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 1}, {"sku": "a", "qty": 3}], "raw": "12x"}
    execute(
        "counts = {}\n"
        "for order in orders:\n"
        "    counts.setdefault(order['sku'], 0)\n"
        "    counts[order['sku']] += order['qty']\n"
        "total = sum(counts.values())\n"
        "try:\n"
        "    parsed = int(raw)\n"
        "except ValueError as e:\n"
        "    parsed = None\n"
        "    problem = str(e)\n"
        "def double(x):\n"
        "    return x * 2\n"
        "doubled = [double(n) for n in counts.values()]\n"
        "due = (datetime(2024, 1, 31) + timedelta(days=1)).isoformat()\n"
        "price = Decimal('19.99') * 3\n",
        variables)
    assert variables["counts"] == {"a": 5, "b": 1}
    assert variables["total"] == 6 and variables["parsed"] is None and "12x" in variables["problem"]
    assert variables["doubled"] == [10, 2] and variables["due"] == "2024-02-01T00:00:00"
    assert variables["price"] == Decimal("59.97")


def test_execute_updates_deletes_and_strips_functions():
    variables = {"a": 1, "gone": 2, "kept": [1], "_internal": "x"}
    execute("a = a + 1\nkept.append(2)\ndel gone\nnew = 'n'\nf = lambda: 1\ndef g():\n    pass\nd = Decimal", variables)
    assert variables == {"a": 2, "kept": [1, 2], "new": "n", "_internal": "x"}


def test_execute_does_not_leak_builtins_guards_or_helpers():
    variables = {"x": 1}
    execute("y = helper(x) + business_key", variables, {"helper": str, "business_key": "BK"})
    assert variables == {"x": 1, "y": "1BK"}


@pytest.mark.parametrize("script, error", [
    ("raise ValueError('bad')", ValueError),
    ("x = 1 / 0", ZeroDivisionError),
    ("x = {}['missing']", KeyError),
    ("x = undefined_name", NameError),
    ("x = [][1]", IndexError),
])
def test_script_error_propagates_as_plain_exception(script, error):
    variables = {"before": 1}
    with pytest.raises(error):
        execute(script, variables)
    assert variables == {"before": 1}


def test_compiled_expressions_are_cached():
    assert compile_expression("amount > 1000") is compile_expression("amount > 1000")


def test_expression_may_carry_surrounding_whitespace():
    assert evaluate("\n   amount > 1\n  ", {"amount": 2}) is True


def test_timeout_error_names_the_line():
    with pytest.raises(SandboxTimeout) as info:
        execute("n = 0\n\nwhile n < 10:\n    n = n + 0", {}, limits=Limits(time_seconds=0.1))
    assert info.value.line in (3, 4)


def test_script_error_traceback_points_at_the_diagram_line():
    with pytest.raises(ZeroDivisionError) as info:
        execute("x = 1\ny = x / 0", {})
    lines = [frame.lineno for frame in traceback.extract_tb(info.value.__traceback__)
             if frame.filename == sandbox.FILENAME]
    assert lines[-1] == 2


def test_variables_named_like_missing_builtins_are_ordinary_variables():
    """DMN tables and Camunda diagrams use variables called `type` or `input`; only calling them is refused."""
    assert evaluate("type == 'A' and input > 2", {"type": "A", "input": 3}) is True
    with pytest.raises(SandboxViolation):
        check_expression("type(1)")
