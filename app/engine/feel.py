"""Translate the FEEL written in Camunda decision tables into sandbox-friendly Python source.

DMN tables drawn in the Camunda Modeler hold FEEL: input entries are *unary tests* (``"gold"``,
``>= 100``, ``[250..1000]``, ``"a","b"``, ``not("x")``, ``-``) and output entries and input
expressions are *simple expressions*. SpiffWorkflow evaluates every cell as Python, so the
deployment pass rewrites cells with this module. Nothing is eval'd here: a tokenizer and a
recursive-descent parser emit parenthesised Python that only calls the ``kb_feel_*`` helpers
in :data:`HELPERS` (the caller injects them as globals; the sandbox checks the result).

Supported: literals (numbers, "strings" or 'strings', true/false/null and Python's
True/False/None), names and dotted paths over dicts (``a.b`` -> ``kb_feel_get(a, 'b')``),
``+ - * / **``, ``= != < <= > >=``, ``and``/``or``/``not(...)``, ``if c then a else b``,
``x between a and b``, list literals, ``date("…")``, ``time("…")``, ``date and time("…")``;
in unary tests also ``-``, comparison tests, intervals with open/closed ends (``[a..b)``,
``]a..b[``), comma-separated disjunctions, ``not(tests)``, ``?`` for the input value, and
expressions (a variable, a list: the input must equal the value or be in the list).
Refused (FeelError): other function calls, filters ``a[…]``, contexts ``{…}``, ``for``/``some``/
``every``/``in``/``instance of``, names with spaces, durations.

Semantics that differ from FEEL: ``< <= > >=`` are false (not null) when a side is null (so
``not(< 5)`` matches a null input), and raise on incomparable types; a datetime compared with a
``date(…)`` is compared by its date; naive date-times count as UTC; arithmetic and ``and``/``or``
are Python's (no null propagation, ``1 = true`` holds).

Backwards compatibility (Spiff's Python cells): when text is not valid FEEL but parses as
Python, it keeps Spiff's meaning: an input entry with ``?`` has ``?`` bound to the input, else
``(input) == (cell)`` if the cell is an expression, else ``input cell`` (e.g. ``in ('a', 'b')``);
an expression passes through unchanged. Errors that are unmistakably FEEL (calling a FEEL built-in
such as ``contains()``, a multi-word function, a malformed ``date("…")``) are never retried as
Python. The caller still sandbox-checks the result.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timezone
from typing import Any, NamedTuple

__all__ = ["HELPERS", "INPUT", "FeelError", "python_unary_tests", "to_spiff_cell", "translate_expression",
           "translate_unary_tests"]

INPUT = "dmninput"  # the name an input entry's Python uses for the input value


class FeelError(ValueError):
    """FEEL that cannot be translated; the message is meant for decision table authors.

    `final` errors are unmistakably FEEL (a bad date literal, a FEEL built-in function), so the
    Python fallback is not tried."""

    def __init__(self, message: str, final: bool = False):
        super().__init__(message)
        self.final = final


class _Tok(NamedTuple):
    kind: str  # num, str, name, op, end
    value: str
    pos: int


class _E(NamedTuple):
    code: str
    kind: str = ""  # "lit" (number, string, boolean), "null", "date", "datetime", "time"; "" otherwise


_TOKEN = re.compile(r"""\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
    |(?P<dt>date\s+and\s+time(?=\s*\())|(?P<name>[^\W\d]\w*)|(?P<op>\.\.|\*\*|<=|>=|!=|==|[-<>=+*/(),.\[\]?{}:;%!^&|@]))""",
                    re.VERBOSE)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "'": "'", "\\": "\\"}
_LITERALS = {"true": "True", "false": "False", "null": "None", "True": "True", "False": "False", "None": "None"}
_UNSUPPORTED = {"for": "'for' loops", "some": "'some' expressions", "every": "'every' expressions",
                "in": "the 'in' operator", "instance": "'instance of'", "function": "function definitions",
                "satisfies": "'satisfies'", "return": "'return'"}
_TEMPORAL = {"date": ("kb_feel_date", "date"), "date and time": ("kb_feel_datetime", "datetime"),
             "time": ("kb_feel_time", "time")}
_COMPARE = {"<": "kb_feel_lt", "<=": "kb_feel_le", ">": "kb_feel_gt", ">=": "kb_feel_ge"}
_SUPPORTED = "literals, names, a.b paths, arithmetic, comparisons, ranges, lists, not(), date(), date and time()"


def _tokens(text: str) -> list[_Tok]:
    out, pos = [], 0
    while pos < len(text):
        if not text[pos:].strip():
            break
        m = _TOKEN.match(text, pos)
        if m is None:
            raise FeelError(f"unexpected character {text[pos:].lstrip()[0]!r} at column {pos + 1}")
        kind = m.lastgroup
        value = re.sub(r"\s+", " ", m.group(kind)) if kind == "dt" else m.group(kind)
        out.append(_Tok("name" if kind == "dt" else kind, value, m.start(kind)))
        pos = m.end()
    return out + [_Tok("end", "", len(text))]


def _pystr(value: str) -> str:
    """A double-quoted Python literal with no quote or '?' inside (Spiff's '?' rewrite counts quotes)."""
    special = {"\\": "\\\\", '"': "\\x22", "'": "\\x27", "?": "\\x3f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return '"' + "".join(special.get(c, c if c.isprintable() else f"\\u{ord(c):04x}") for c in value) + '"'


def _unquote(token: str) -> str:
    try:
        return re.sub(r"\\(u[0-9a-fA-F]{4}|.)", lambda m: chr(int(m[1][1:], 16)) if len(m[1]) == 5 else
                      _ESCAPES[m[1]], token[1:-1])
    except KeyError as e:
        raise FeelError(f"unknown escape \\{e.args[0]} in string {token}") from None


class _Parser:
    def __init__(self, text: str, allow_input: bool):
        self.text, self.toks, self.i = text, _tokens(text), 0
        self.allow_input, self.used_input = allow_input, False

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def at(self, *values: str) -> bool:
        return self.tok.kind in ("op", "name") and self.tok.value in values

    def take(self, *values: str) -> _Tok | None:
        if self.at(*values):
            self.i += 1
            return self.toks[self.i - 1]
        return None

    def expect(self, value: str, what: str) -> None:
        if not self.take(value):
            raise self.error(f"expected {value!r} {what}")

    def error(self, message: str, tok: _Tok | None = None) -> FeelError:
        tok = tok or self.tok
        found = "end of text" if tok.kind == "end" else repr(tok.value)
        return FeelError(f"{message} at column {tok.pos + 1} (found {found})")

    def done(self) -> None:
        if self.at("["):
            raise self.error("filters and indexing (a[…]) are not supported")
        if self.tok.kind != "end":
            raise self.error("unexpected text")

    # --- expressions ------------------------------------------------------------------------
    def expression(self) -> _E:
        if self.take("if"):
            cond = self.expression()
            self.expect("then", "after the 'if' condition")
            then = self.expression()
            self.expect("else", "in 'if … then … else …'")
            return _E(f"({then.code} if {cond.code} else {self.expression().code})")
        return self.chain(("or",), lambda: self.chain(("and",), self.comparison))

    def chain(self, ops: tuple[str, ...], operand: Callable[[], _E]) -> _E:
        """Left-associative binary operators that mean the same in Python."""
        left = operand()
        while tok := self.take(*ops):
            left = _E(f"({left.code} {tok.value} {operand().code})")
        return left

    def comparison(self) -> _E:
        left = self.additive()
        if self.take("between"):
            low = self.additive()
            self.expect("and", "in 'between … and …'")
            return _E(f"({_compare(left, '>=', low)} and {_compare(left, '<=', self.additive())})")
        if tok := self.take("=", "!=", "<", "<=", ">", ">="):
            return _E(_compare(left, tok.value, self.additive()))
        if self.at(*_UNSUPPORTED):
            raise self.error(f"{_UNSUPPORTED[self.tok.value]} is not supported")
        return left

    def additive(self) -> _E:
        return self.chain(("+", "-"), lambda: self.chain(("*", "/"), self.unary))

    def unary(self) -> _E:
        if self.take("-"):
            return _E(f"(-{self.unary().code})")
        base = self.postfix()
        return _E(f"({base.code} ** {self.unary().code})") if self.take("**") else base

    def postfix(self) -> _E:
        value = self.primary()
        while True:
            if self.take("."):
                if self.tok.kind != "name":
                    raise self.error("expected a name after '.'")
                value = _E(f"kb_feel_get({value.code}, {self.tok.value!r})")
                self.i += 1
            elif self.at("("):
                raise self.error("calling an expression is not supported")
            else:
                return value

    def primary(self) -> _E:
        tok = self.tok
        self.i += 1
        if tok.kind == "num":
            return _E(tok.value.lstrip("0") or "0", "lit")  # FEEL allows 007; Python does not
        if tok.kind == "str":
            return _E(_pystr(_unquote(tok.value)), "lit")
        if tok.kind == "name":
            return self.named(tok)
        if tok.value == "(":
            inner = self.expression()
            self.expect(")", "to close '('")
            return inner
        if tok.value == "[":
            items = [] if self.at("]") else [self.expression()]
            while self.take(","):
                items.append(self.expression())
            if self.at(".."):
                raise self.error("ranges are only supported as input entries")
            self.expect("]", "to close the list")
            return _E("[" + ", ".join(i.code for i in items) + "]")
        if tok.value == "?":
            if not self.allow_input:
                raise self.error("'?' (the input value) is only allowed in input entries", tok)
            self.used_input = True
            return _E(INPUT)
        if tok.value == "{":
            raise self.error("contexts ({…}) are not supported", tok)
        raise self.error("expected a value", tok)

    def named(self, tok: _Tok) -> _E:
        name = tok.value
        if name in _LITERALS:
            return _E(_LITERALS[name], "null" if name in ("null", "None") else "lit")
        if name == "not" and self.at("("):
            self.i += 1
            inner = self.expression()
            self.expect(")", "to close 'not('")
            return _E(f"(not {inner.code})")
        if name in _TEMPORAL and self.take("("):
            return self.temporal(name)
        if name in _KEYWORDS:
            raise self.error(f"{_UNSUPPORTED[name]} is not supported" if name in _UNSUPPORTED
                             else "expected a value", tok)
        words = [name]
        while self.tok.kind == "name" and self.tok.value not in _KEYWORDS:
            words.append(self.tok.value)
            self.i += 1
        if self.at("("):
            raise FeelError(f"function call '{' '.join(words)}(…)' at column {tok.pos + 1} is not supported in "
                            f"decision tables (supported: {_SUPPORTED})", final=len(words) > 1 or name in _FUNCTIONS)
        if len(words) > 1:
            raise FeelError(f"names with spaces ('{' '.join(words)}') are not supported at column {tok.pos + 1}")
        return _E(name)

    def temporal(self, name: str) -> _E:
        helper, kind = _TEMPORAL[name]
        if self.tok.kind == "str" and self.toks[self.i + 1].value == ")":
            literal = _unquote(self.tok.value)
            try:
                HELPERS[helper](literal)
            except ValueError:
                raise FeelError(f"{name}({self.tok.value}) at column {self.tok.pos + 1} is not a valid {name} "
                                "(use ISO 8601)", final=True) from None
        arg = self.expression()
        self.expect(")", f"to close '{name}('")
        return _E(f"{helper}({arg.code})", kind)

    # --- unary tests ------------------------------------------------------------------------
    def unary_tests(self) -> str:
        tests = self.positive_tests()
        self.done()
        return tests

    def positive_tests(self) -> str:
        tests = [self.positive_test()]
        while self.take(","):
            tests.append(self.positive_test())
        return tests[0] if len(tests) == 1 else "(" + " or ".join(tests) + ")"

    def positive_test(self) -> str:
        if self.at("not") and self.toks[self.i + 1].value == "(":
            self.i += 2
            tests = self.positive_tests()
            self.expect(")", "to close 'not('")
            return f"(not {tests})"
        if op := self.take("<", "<=", ">", ">=", "=", "!="):
            return _compare(_E(INPUT), op.value, self.additive())
        start = self.i
        if opener := self.take("[", "(", "]"):
            low = self.additive()
            if self.take(".."):
                high = self.additive()
                closer = self.take("]", ")", "[")
                if closer is None:
                    raise self.error("expected ']', ')' or '[' to close the range")
                return (f"({_compare(_E(INPUT), '>=' if opener.value == '[' else '>', low)} and "
                        f"{_compare(_E(INPUT), '<=' if closer.value == ']' else '<', high)})")
            self.i = start
        before, self.used_input = self.used_input, False
        value = self.expression()
        used, self.used_input = self.used_input, before or self.used_input
        if used:
            return value.code
        # a computed value (a variable, a list) matches if equal to the input or a list containing it
        return _compare(_E(INPUT), "=", value) if value.kind else f"kb_feel_matches({INPUT}, {value.code})"


# FEEL built-ins that are not Python builtins: calling one is FEEL, never a Python cell.
_FUNCTIONS = {"contains", "substring", "matches", "count", "mean", "median", "mode", "stddev", "append", "concatenate",
              "floor", "ceiling", "decimal", "number", "string", "modulo", "sqrt", "exp", "log", "odd", "even", "now",
              "today", "duration", "flatten", "union", "reverse", "replace", "split", "product", "sublist", "remove",
              "insert", "sort", "put", "context", "before", "after", "includes", "during", "overlaps", "coincides"}
_KEYWORDS = {"and", "or", "not", "if", "then", "else", "between", *_LITERALS, *_UNSUPPORTED}


def _compare(left: _E, op: str, right: _E) -> str:
    if op in _COMPARE:
        return f"{_COMPARE[op]}({left.code}, {right.code})"
    negate = op == "!="
    if "null" in (left.kind, right.kind):
        other = right if left.kind == "null" else left
        return f"({other.code} is {'not ' if negate else ''}None)"
    if {left.kind, right.kind} & {"date", "datetime", "time"}:
        return f"({'not ' if negate else ''}kb_feel_eq({left.code}, {right.code}))"
    return f"({left.code} {'!=' if negate else '=='} {right.code})"


_SPIFF_QUESTION = re.compile(r"""(\?)(?=(?:[^'"]|['"][^'"]*['"])*$)""")  # DMNEngine.evaluate's own rewrite


def _parses(python: str) -> bool:
    try:
        ast.parse(python, mode="eval")
        return True
    except (SyntaxError, ValueError):
        return False


def translate_unary_tests(text: str) -> str:
    """A FEEL input entry -> a Python boolean expression over the name ``dmninput`` (see module doc)."""
    text = (text or "").strip()
    if text in ("", "-"):
        return "True"
    try:
        return _Parser(text, allow_input=True).unary_tests()
    except FeelError as error:
        if error.final:
            raise
        try:
            return python_unary_tests(text)
        except FeelError:
            raise error from None


def python_unary_tests(text: str) -> str:
    """A Python input entry with SpiffWorkflow's meaning -> a Python boolean expression over ``dmninput``."""
    if "?" in text and INPUT in (python := _SPIFF_QUESTION.sub(INPUT, text)) and _parses(python):
        return python
    if _parses(text):
        return f"({INPUT}) == ({text})"
    if _parses(f"{INPUT} {text}"):
        return f"{INPUT} {text}"
    raise FeelError("not a valid Python input entry (write an expression, or an operator and operand such as "
                    "'>= 10')")


def translate_expression(text: str) -> str:
    """A FEEL literal expression (output entry, input expression) -> a Python expression (see module doc)."""
    text = (text or "").strip()
    try:
        parser = _Parser(text, allow_input=False)
        result = parser.expression()
        parser.done()
        return result.code
    except FeelError as error:
        if not error.final and _parses(text):
            return text
        raise


def to_spiff_cell(python: str) -> str:
    """Python over ``dmninput`` -> the same with ``?``, which SpiffWorkflow's DMN engine binds to the input."""
    starts = [0]
    for line in python.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    spans = [(starts[t.start[0] - 1] + t.start[1], starts[t.end[0] - 1] + t.end[1])
             for t in tokenize.generate_tokens(io.StringIO(python).readline)
             if t.type == tokenize.NAME and t.string == INPUT]
    for start, end in reversed(spans):
        python = python[:start] + "?" + python[end:]
    return python


# --- run-time helpers injected as globals; each is safe to expose to untrusted code ----------

_PROPERTIES = {"year", "month", "day", "hour", "minute", "second"}


def kb_feel_get(obj: Any, key: str) -> Any:
    """FEEL path ``a.b``: a dict entry (null if missing), mapped over lists, or a date/time property."""
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(key)
    if isinstance(obj, (list, tuple)):
        return [kb_feel_get(item, key) for item in obj]
    if isinstance(obj, (date, time)) and (key in _PROPERTIES or key == "weekday"):
        if key == "weekday" and isinstance(obj, date):
            return obj.isoweekday()
        return getattr(obj, key, None)
    raise TypeError(f"cannot read {key!r} of a {type(obj).__name__} value")


def kb_feel_date(value: Any) -> date | None:
    """FEEL ``date("2024-01-31")``; also the date of a date-time."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return _utc(value).date()
    return date.fromisoformat(str(value))


def kb_feel_datetime(value: Any) -> datetime | None:
    """FEEL ``date and time("2024-01-31T10:00:00")``; without an offset the time counts as UTC."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    return _utc(datetime.fromisoformat(str(value)))


def kb_feel_time(value: Any) -> time | None:
    """FEEL ``time("10:30:00")``."""
    return value if value is None or isinstance(value, time) else time.fromisoformat(str(value))


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _comparable(a: Any, b: Any) -> tuple[Any, Any]:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return _utc(a), _utc(b)
    if isinstance(a, datetime) and isinstance(b, date):
        return _utc(a).date(), b
    if isinstance(b, datetime) and isinstance(a, date):
        return a, _utc(b).date()
    return a, b


def _comparison(name: str, test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(a: Any, b: Any) -> bool:
        if a is None or b is None:
            return False
        a, b = _comparable(a, b)
        try:
            return bool(test(a, b))
        except TypeError:
            raise TypeError(f"cannot compare {type(a).__name__} {_short(a)} with {type(b).__name__} {_short(b)}"
                            ) from None
    compare.__name__ = compare.__qualname__ = name
    return compare


def _short(value: Any) -> str:
    text = repr(value) if isinstance(value, (str, int, float, date, time)) else f"<{type(value).__name__}>"
    return text if len(text) <= 60 else text[:57] + "..."


def kb_feel_eq(a: Any, b: Any) -> bool:
    """FEEL ``=`` where a side is a date or time: a date-time equals a date on the same day."""
    a, b = _comparable(a, b)
    return a == b


def kb_feel_matches(value: Any, test: Any) -> bool:
    """A unary test that is an expression: the input equals its value, or is in it when it is a list."""
    if isinstance(test, (list, tuple)) and not isinstance(value, (list, tuple)):
        return any(kb_feel_matches(value, item) for item in test)
    return kb_feel_eq(value, test)


HELPERS: dict[str, Callable[..., Any]] = {
    "kb_feel_get": kb_feel_get,
    "kb_feel_date": kb_feel_date,
    "kb_feel_datetime": kb_feel_datetime,
    "kb_feel_time": kb_feel_time,
    "kb_feel_eq": kb_feel_eq,
    "kb_feel_matches": kb_feel_matches,
    "kb_feel_lt": _comparison("kb_feel_lt", lambda a, b: a < b),
    "kb_feel_le": _comparison("kb_feel_le", lambda a, b: a <= b),
    "kb_feel_gt": _comparison("kb_feel_gt", lambda a, b: a > b),
    "kb_feel_ge": _comparison("kb_feel_ge", lambda a, b: a >= b),
}
