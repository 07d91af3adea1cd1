"""Translate the JUEL found in Camunda diagrams into sandbox-friendly Python source.

Diagrams drawn in the Camunda Modeler carry JUEL (``${...}`` / ``#{...}``) in
sequence-flow conditions, timers and attributes such as
``camunda:candidateGroups="${region}-hrss"``.  Kuaibao evaluates everything as
RestrictedPython, so this module turns the JUEL people actually write into one
Python expression string.  The generated code never uses names or attributes
starting with ``_``, never imports, and only calls the ``juel_*`` helpers in
:data:`HELPERS`, which the caller injects as globals.

Implementation: a small hand-written tokenizer plus a precedence-climbing
(Pratt) parser that emits heavily parenthesised Python text; nothing is eval'd.

Deliberate differences from JUEL: ``+`` concatenates when either side is a
string; ``== < >`` etc. use Python semantics (no string/number coercion, and
comparing null with ``<`` raises); ``- * /`` do not treat null as 0.  Not
supported: method/function calls (except ``execution.getVariable('x')`` and
``execution.getProcessBusinessKey()``), ``fn:`` functions, ``instanceof``,
EL 3.0 lambdas/assignment/collection literals, and ``\\${`` escapes.
"""
from __future__ import annotations

import functools
import keyword
import math
import re
import unicodedata
from collections.abc import Mapping, Sized
from typing import Any, NamedTuple

__all__ = ["JuelError", "is_juel", "translate", "translate_template", "HELPERS"]


class JuelError(ValueError):
    """Raised when JUEL cannot be translated; the message is meant for diagram authors."""


_OPEN = re.compile(r"[$#]\{")
_NUMBER = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_WORD_OPS = {"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">=",
             "and": "&&", "or": "||", "not": "!", "div": "/", "mod": "%", "empty": "empty"}
_CONSTANTS = {"true": "True", "false": "False", "null": "None"}
_SYMBOLS = ("==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "+", "-", "*", "/", "%",
            "?", ":", "(", ")", "[", "]", ".", ",")
# Binding powers, loosest first: ?: < || < && < == != < relational < + - < * / % < unary.
_TERNARY, _UNARY = 1, 8
_BINARY = {"||": 2, "&&": 3, "==": 4, "!=": 4, "<": 5, ">": 5, "<=": 5, ">=": 5,
           "+": 6, "-": 6, "*": 7, "/": 7, "%": 7}
_COMPARISONS = {"==", "!=", "<", ">", "<=", ">="}


class _Tok(NamedTuple):
    kind: str   # 'num', 'str', 'const', 'name', 'op', 'end'
    value: Any  # normalised value (word operators mapped to their symbols)
    pos: int    # offset in the full text
    src: str    # spelling as written


class _Node(NamedTuple):
    code: str                  # emitted Python source
    start: int                 # offset of the first character in the full text
    boolean: bool = False      # statically known to produce a bool
    const: Any = None          # value when the node is a string literal
    name: str | None = None    # identifier when the node is a bare variable


def _error(text: str, pos: int, what: str, hint: str | None = None) -> JuelError:
    message = f'{what} at column {pos + 1} in "{text}"'
    return JuelError(f"{message}: {hint}" if hint else message)


def _scan(text: str, opener: int) -> tuple[list[_Tok], int]:
    """Tokenise the expression opened at ``opener``; return tokens and the offset after '}'."""
    toks: list[_Tok] = []
    i, n = opener + 2, len(text)
    while True:
        if i >= n:
            raise _error(text, opener, f"Unterminated '{text[opener:opener + 2]}'", "missing '}'")
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "}":
            toks.append(_Tok("end", "}", i, "}"))
            return toks, i + 1
        elif (m := _NUMBER.match(text, i)) and not (c == "." and toks and (
                toks[-1].kind == "name" or toks[-1].src in (")", "]"))):
            src = m.group()
            value = float(src) if any(ch in src for ch in ".eE") else int(src)
            if isinstance(value, float) and not math.isfinite(value):
                raise _error(text, i, f"Number {src} is too large")
            toks.append(_Tok("num", value, i, src))
            i = m.end()
        elif c in "'\"":
            j, chars = i + 1, []
            while True:
                if j >= n:
                    raise _error(text, i, "Unterminated string", f"missing closing {c}")
                if text[j] == c:
                    break
                escaped = text[j] == "\\" and text[j + 1:j + 2] in ("'", '"', "\\")
                chars.append(text[j + 1] if escaped else text[j])
                j += 2 if escaped else 1
            toks.append(_Tok("str", "".join(chars), i, text[i:j + 1]))
            i = j + 1
        elif c.isalpha() or c == "_":
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            word = text[i:j]
            if word == "instanceof":
                raise _error(text, i, "Operator 'instanceof' is not supported")
            if word in _WORD_OPS:
                toks.append(_Tok("op", _WORD_OPS[word], i, word))
            elif word in _CONSTANTS:
                toks.append(_Tok("const", _CONSTANTS[word], i, word))
            else:
                toks.append(_Tok("name", word, i, word))
            i = j
        else:
            sym = next((s for s in _SYMBOLS if text.startswith(s, i)), None)
            if sym is None:
                raise _error(text, i, f"Unexpected character {c!r}")
            toks.append(_Tok("op", sym, i, sym))
            i += len(sym)


class _Parser:
    """Pratt parser over one ``${...}`` body that emits Python source."""

    def __init__(self, text: str, toks: list[_Tok]):
        self.text, self.toks, self.i = text, toks, 0

    def peek(self, ahead: int = 0) -> _Tok:
        return self.toks[min(self.i + ahead, len(self.toks) - 1)]

    def take(self) -> _Tok:
        tok = self.peek()
        if tok.kind != "end":
            self.i += 1
        return tok

    def at(self, op: str, ahead: int = 0) -> bool:
        tok = self.peek(ahead)
        return tok.kind == "op" and tok.value == op

    def unexpected(self, tok: _Tok, hint: str | None = None) -> JuelError:
        what = f"Unexpected string {tok.src}" if tok.kind == "str" else f"Unexpected '{tok.src}'"
        return _error(self.text, tok.pos, what, hint)

    def expect(self, op: str, hint: str) -> None:
        if not self.at(op):
            raise self.unexpected(self.peek(), hint)
        self.i += 1

    def identifier(self, word: str, pos: int, what: str = "name") -> str:
        norm = unicodedata.normalize("NFKC", word)
        hint = ("names starting with '_' are not allowed" if norm.startswith("_") else
                "use letters, digits and '_' only" if not norm.isidentifier() else
                "it is a reserved word in Python expressions" if keyword.iskeyword(norm) else None)
        if hint:
            raise _error(self.text, pos, f"Invalid {what} '{word}'", hint)
        return norm

    @staticmethod
    def boolean(node: _Node) -> str:
        return node.code if node.boolean else f"juel_bool({node.code})"

    def parse(self, opener: int) -> str:
        if self.peek().kind == "end":
            raise _error(self.text, opener, f"Empty expression '{self.text[opener:opener + 2]}}}'",
                         "write a variable or condition between the braces")
        node = self.expression(0)
        if self.peek().kind != "end":
            raise self.unexpected(self.peek(), "expected an operator or '}'")
        return node.code

    def expression(self, min_bp: int) -> _Node:
        left = self.prefix()
        while True:
            tok = self.peek()
            op = tok.value if tok.kind == "op" else None
            if op == "?" and _TERNARY > min_bp:
                self.i += 1
                then = self.expression(0)
                self.expect(":", "expected ':' of the 'condition ? a : b' operator")
                other = self.expression(_TERNARY - 1)  # right-associative
                left = _Node(f"({then.code} if {self.boolean(left)} else {other.code})",
                             left.start, then.boolean and other.boolean)
            elif op in _BINARY and _BINARY[op] > min_bp:
                self.i += 1
                right = self.expression(_BINARY[op])
                if op in ("&&", "||"):
                    word = "and" if op == "&&" else "or"
                    code = f"({self.boolean(left)} {word} {self.boolean(right)})"
                elif op == "+":
                    code = f"juel_add({left.code}, {right.code})"
                elif op == "%":
                    code = f"juel_mod({left.code}, {right.code})"
                else:
                    code = f"({left.code} {op} {right.code})"
                left = _Node(code, left.start, op in _COMPARISONS or op in ("&&", "||"))
            else:
                return left

    def prefix(self) -> _Node:
        tok = self.peek()
        if tok.kind == "op" and tok.value in ("!", "-", "empty"):
            self.i += 1
            operand = self.expression(_UNARY)
            if tok.value == "!":
                return _Node(f"(not {self.boolean(operand)})", tok.pos, True)
            if tok.value == "-":
                return _Node(f"(-{operand.code})", tok.pos)
            return _Node(f"juel_empty({operand.code})", tok.pos, True)
        return self.postfix(self.primary())

    def primary(self) -> _Node:
        tok = self.take()
        if tok.kind == "num":
            return _Node(repr(tok.value), tok.pos)
        if tok.kind == "str":
            return _Node(repr(tok.value), tok.pos, const=tok.value)
        if tok.kind == "const":
            return _Node(tok.value, tok.pos, tok.value != "None")
        if tok.kind == "name":
            if self.at(":") and self.peek(1).kind == "name" and self.at("(", 2):
                raise _error(self.text, tok.pos, f"Unsupported function {tok.src}:{self.peek(1).src}(...)",
                             "JUEL functions with a namespace prefix are not supported")
            if self.at("("):
                raise _error(self.text, tok.pos, f"Unsupported call {tok.src}(...)",
                             "function calls are not supported")
            return _Node(self.identifier(tok.value, tok.pos), tok.pos, name=tok.value)
        if tok.kind == "op" and tok.value == "(":
            inner = self.expression(0)
            self.expect(")", "expected ')'")
            return _Node(inner.code, tok.pos, inner.boolean)
        raise self.unexpected(tok, "expected a value")

    def postfix(self, node: _Node) -> _Node:
        while True:
            tok = self.peek()
            if self.at("."):
                self.i += 1
                prop = self.take()
                if prop.kind != "name":
                    raise self.unexpected(prop, "expected a property name after '.'")
                if self.at("("):
                    node = self.method(node, prop)
                    continue
                if prop.value.startswith("_"):
                    raise _error(self.text, prop.pos, f"Invalid property '{prop.src}'",
                                 "names starting with '_' are not allowed")
                node = _Node(f"juel_get({node.code}, {prop.value!r})", node.start)
            elif self.at("["):
                self.i += 1
                key = self.expression(0)
                self.expect("]", "expected ']'")
                if isinstance(key.const, str) and key.const.startswith("_"):
                    raise _error(self.text, key.start, f"Invalid property {key.const!r}",
                                 "names starting with '_' are not allowed")
                node = _Node(f"juel_get({node.code}, {key.code})", node.start)
            elif self.at("("):
                raise _error(self.text, tok.pos, f"Unsupported call {self.text[node.start:tok.pos]}(...)",
                             "function calls are not supported")
            else:
                return node

    def method(self, base: _Node, method: _Tok) -> _Node:
        self.i += 1  # '('
        args: list[_Node] = []
        if not self.at(")"):
            args.append(self.expression(0))
            while self.at(","):
                self.i += 1
                args.append(self.expression(0))
        self.expect(")", "expected ')' to close the argument list")
        call = f"{self.text[base.start:method.pos]}{method.src}(...)"
        if base.name == "execution" and method.value == "getVariable":
            if len(args) != 1 or not isinstance(args[0].const, str):
                raise _error(self.text, method.pos, f"Unsupported call {call}",
                             "pass one quoted variable name, e.g. execution.getVariable('amount')")
            name = self.identifier(args[0].const, args[0].start, "variable name")
            return _Node(name, base.start, name=name)
        if base.name == "execution" and method.value == "getProcessBusinessKey" and not args:
            return _Node("business_key", base.start, name="business_key")
        raise _error(self.text, method.pos, f"method calls are not supported: {call}")


def _expression(text: str, opener: int) -> tuple[str, int]:
    toks, end = _scan(text, opener)
    return _Parser(text, toks).parse(opener), end


def is_juel(text: str) -> bool:
    """Tell whether a condition/attribute needs translating (contains ``${`` or ``#{``)."""
    return isinstance(text, str) and _OPEN.search(text) is not None


@functools.lru_cache(maxsize=4096)
def translate(text: str) -> str:
    """Turn JUEL-bearing text into one Python expression (cached: called on every evaluation)."""
    if not is_juel(text):
        raise JuelError(f'No JUEL expression (${{...}} or #{{...}}) found in "{text}"')
    parts: list[tuple[bool, str]] = []
    pos = 0
    while (m := _OPEN.search(text, pos)) is not None:
        if m.start() > pos:
            parts.append((False, text[pos:m.start()]))
        code, pos = _expression(text, m.start())
        parts.append((True, code))
    if pos < len(text):
        parts.append((False, text[pos:]))
    expressions = [code for is_expr, code in parts if is_expr]
    if len(expressions) == 1 and all(is_expr or not s.strip() for is_expr, s in parts):
        return expressions[0]  # a lone ${expr} keeps its natural value
    return " + ".join(f"juel_str({s})" if is_expr else repr(s) for is_expr, s in parts)


def translate_template(text: str) -> str:
    """Translate an attribute value; plain text is a literal in Camunda, so it becomes a str literal."""
    return translate(text) if is_juel(text) else repr(text)


# --- run-time helpers injected as globals; each is safe to expose to untrusted code ----------

def juel_str(value: Any) -> str:
    """JUEL coercion to string: null -> '', booleans -> 'true'/'false'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def juel_bool(value: Any) -> bool:
    """JUEL coercion to boolean: strings are true only when 'true' (so 'false' is false)."""
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def juel_empty(value: Any) -> bool:
    """JUEL ``empty``: true for null, '' and empty collections/maps."""
    if value is None:
        return True
    return isinstance(value, Sized) and len(value) == 0


def juel_get(obj: Any, key: Any) -> Any:
    """Safe ``a.b`` / ``a[b]``: only mappings and sequences; missing entries give null as in JUEL."""
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        try:
            return obj[key]
        except KeyError:
            return None
    if isinstance(obj, (list, tuple, str)):
        if isinstance(key, bool):
            raise JuelError(f"Cannot use {key!r} as a list index")
        try:
            index = int(key)  # JUEL coerces '1' and 1.0 to 1
        except (TypeError, ValueError):
            raise JuelError(f"Cannot use {key!r} as a list index") from None
        return obj[index] if 0 <= index < len(obj) else None
    raise JuelError(f"Cannot read property {key!r} of a {type(obj).__name__} value")


def juel_add(left: Any, right: Any) -> Any:
    """``+``: numeric addition (null counts as 0), string concatenation if either side is a str."""
    if isinstance(left, str) or isinstance(right, str):
        return juel_str(left) + juel_str(right)
    return (0 if left is None else left) + (0 if right is None else right)


def juel_mod(left: Any, right: Any) -> Any:
    """``%``/``mod`` with Java semantics: the remainder takes the sign of the dividend."""
    left, right = (0 if left is None else left), (0 if right is None else right)
    if isinstance(left, int) and isinstance(right, int):
        remainder = abs(left) % abs(right)
        return -remainder if left < 0 else remainder
    return math.fmod(left, right)


HELPERS: dict[str, Any] = {
    "juel_str": juel_str,
    "juel_bool": juel_bool,
    "juel_empty": juel_empty,
    "juel_get": juel_get,
    "juel_add": juel_add,
    "juel_mod": juel_mod,
}
