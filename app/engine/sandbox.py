"""Sandbox for code written inside diagrams: script tasks, gateway conditions, timers, assignments, DMN.

Threat model: the diagram author (a process manager) is not trusted; a diagram may be malicious or
just careless. Diagram code may read and change the process variables it is given and call the
trusted helpers passed as ``extra_globals``. It must not reach anything else (imports, files,
environment, interpreter internals such as ``__class__``/``__globals__``/frames), must not hang a
worker thread, and must not build a huge object in one step. Helpers and engine-provided variable
values are trusted.

Layers:
1. Static checks (at deploy time, and again when code is first compiled for a run): syntax; our AST
   pass (no imports, names starting with ``_`` other than ``_`` itself, dangerous builtins,
   global/nonlocal, classes, async/yield, ``with``, ``match``, attribute or slice assignment,
   ``while True`` without ``break``, dynamic or huge f-string format specs); then
   RestrictedPython's compiler with a policy that routes ``+ * ** << %``,
   ``*x`` unpacking and ``d[k] += v`` through guards, and makes every ``except:``/``finally:``
   re-raise sandbox errors first, so a script cannot swallow its own timeout (and stop the run if
   CPython dropped the tracer, which it does when calling the tracer hits the recursion limit).
2. Run time (`sandbox_guards`): whitelisted builtins only; guarded attribute reads (no private
   names, nothing on functions/modules/frames/generators, no ``str.format``, size-checked
   padding/join/replace/extend), item writes only into dict/list/set.
3. Time: a per-thread ``sys.settrace`` line tracer on sandboxed frames, ``Limits.time_seconds``.
   Expressions without loops, comprehensions or lambdas run untraced (they finish by construction).
4. Memory: operators, ``range``, unpacking and the text methods refuse results above
   ``Limits.max_items`` items or ``Limits.max_int_bits`` bits; Decimals live in a context with
   exponents bounded to ±9999; after ``execute`` the variables are size-checked.

Residual risks we know of:
- Memory over time: limits are per operation, so a loop that keeps appending 1M-item objects can
  allocate gigabytes before the deadline. Give workers a process memory limit (cgroup/RLIMIT_AS).
- Single C calls are not interrupted: the deadline is checked between lines, and str()/repr()/
  print()/f-strings of a structure that repeats references (1000 refs to one 1M-item list) are not
  size-checked; sorting or hashing 1M items takes a noticeable fraction of a second.
- Trusted helpers run untraced and unguarded (e.g. ``juel_add`` concatenates without a size check);
  a helper that catches Exception around a diagram callback could swallow a SandboxTimeout.
- We rely on CPython's int/str digit limit (``sys.set_int_max_str_digits``, default 4300) and on
  RestrictedPython; a CPython bug reachable from plain expressions would bypass both.
- Decimals that arrive in variables (not via ``Decimal()``) are not exponent-checked.
- Variables named like refused builtins (``type``, ``input``, ``object``...) or starting with ``_``
  cannot be used by diagram code. While a run is traced, a debugger/coverage tracer is suspended.
- If a script fails, top-level names are not written back, but containers it mutated in place stay
  mutated. The post-execute size check walks all variables (cost grows with their size).
- Tracer behaviour was verified on CPython 3.11; re-run tests/unit/test_sandbox.py on upgrades.
"""
from __future__ import annotations

import ast
import decimal
import functools
import logging
import re
import textwrap
from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass
from types import CodeType
from typing import Any

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import IOPERATOR_TO_STR

from .sandbox_guards import (
    DECIMAL_CONTEXT,
    DEFAULT_LIMITS,
    FILENAME,
    MAX_FORMAT_WIDTH,
    BoundedPrintCollector,
    Guards,
    Limits,
    SandboxError,
    SandboxResourceError,
    SandboxTimeout,
    SandboxViolation,
    check_data,
    is_code_like,
    run_with_deadline,
)

__all__ = ["DEFAULT_LIMITS", "FILENAME", "Limits", "SandboxError", "SandboxResourceError", "SandboxTimeout",
           "SandboxViolation", "check_expression", "check_script", "compile_expression", "compile_script",
           "evaluate", "execute"]

log = logging.getLogger(__name__)

FORBIDDEN_NAMES = frozenset({
    "eval", "exec", "open", "compile", "globals", "locals", "vars", "getattr", "setattr", "delattr",
    "__import__", "breakpoint"})
# Builtins that are not in the sandbox's namespace: as plain names they are ordinary process variables
# (DMN tables and Camunda diagrams often have variables called `type` or `input`); calling one is refused.
FORBIDDEN_CALLS = frozenset({"input", "help", "memoryview", "type", "super", "object"})
MAX_SOURCE_CHARS = 200_000
MAX_STARRED = 8  # '*x' items per call or display: each is checked, but k of them multiply by k


# --- static checks --------------------------------------------------------------------------

class _Checker(ast.NodeVisitor):
    """Collects (line, column, message) problems; also notes whether the code can loop."""

    def __init__(self, mode: str):
        self.mode, self.problems, self.loops = mode, [], False

    def problem(self, node: ast.AST, message: str) -> None:
        self.problems.append((getattr(node, "lineno", 1), getattr(node, "col_offset", 0), message))

    def check_name(self, node: ast.AST, name: str | None) -> None:
        if name is None or name == "_":
            return
        if name.startswith("_"):
            self.problem(node, f"name {name!r} is not allowed (names starting with '_' are reserved)")
        elif name in FORBIDDEN_NAMES:
            self.problem(node, f"name {name!r} is not allowed")

    def refuse(message: str):
        def visit(self, node):
            self.problem(node, message)
        return visit

    visit_Import = visit_ImportFrom = refuse("import statements are not allowed in diagram scripts")
    visit_Global = refuse("global statements are not allowed")
    visit_Nonlocal = refuse("nonlocal statements are not allowed")
    visit_ClassDef = refuse("class definitions are not allowed")
    visit_AsyncFunctionDef = visit_Await = visit_AsyncFor = visit_AsyncWith = refuse("async/await is not allowed")
    visit_Yield = visit_YieldFrom = refuse("yield is not allowed")
    visit_With = refuse("with statements are not allowed")
    visit_Match = refuse("match statements are not allowed")
    visit_TryStar = refuse("except* is not allowed")
    del refuse

    def visit_Name(self, node: ast.Name) -> None:
        self.check_name(node, node.id)
        if self.mode == "eval" and node.id in ("print", "printed"):
            self.problem(node, "print is not available in expressions")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr.startswith("_"):
            self.problem(node, f"attribute {node.attr!r} is not allowed (names starting with '_' are private)")
        if not isinstance(node.ctx, ast.Load):
            self.problem(node, "assigning or deleting attributes is not allowed")
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.ctx, ast.Store) and isinstance(node.slice, ast.Slice):
            self.problem(node, "slice assignment is not allowed")
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.loops = True
        self.check_name(node, node.name)
        self.generic_visit(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.loops = True
        self.generic_visit(node)

    def visit_arg(self, node: ast.arg) -> None:
        self.check_name(node, node.arg)
        self.generic_visit(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None and not _names_only(node.type):
            self.problem(node, "except clauses may only name exception classes")
        self.check_name(node, node.name)
        self.generic_visit(node)

    def visit_For(self, node: ast.For) -> None:
        self.loops = True
        self.generic_visit(node)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        self.loops = True
        self.generic_visit(node)

    def visit_While(self, node: ast.While) -> None:
        self.loops = True
        if isinstance(node.test, ast.Constant) and node.test.value and not _can_leave(node.body):
            self.problem(node, "infinite loop: 'while' with a constant true condition and no 'break'")
        self.generic_visit(node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> None:
        spec = node.format_spec
        if spec is not None:
            if not all(isinstance(part, ast.Constant) for part in spec.values):
                self.problem(node, "f-string format specs must be constant")
            else:
                for number in re.findall(r"\d+", "".join(str(part.value) for part in spec.values)):
                    if len(number) > 6 or int(number) > MAX_FORMAT_WIDTH:
                        self.problem(node, f"f-string format width {number} is too large "
                                           f"(at most {MAX_FORMAT_WIDTH})")
        self.visit(node.value)

    def check_starred(self, node: ast.AST, items: list[ast.expr]) -> None:
        if sum(isinstance(item, ast.Starred) for item in items) > MAX_STARRED:
            self.problem(node, f"more than {MAX_STARRED} '*' items in one call or display")

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS:
            self.problem(node, f"calling {node.func.id}() is not allowed")
        self.check_starred(node, node.args)
        self.generic_visit(node)

    def visit_List(self, node: ast.List | ast.Tuple | ast.Set) -> None:
        self.check_starred(node, node.elts)
        self.generic_visit(node)

    visit_Tuple = visit_Set = visit_List


def _names_only(node: ast.expr) -> bool:
    """``except`` types are evaluated after a timeout disabled the tracer: no calls allowed there."""
    if isinstance(node, ast.Tuple):
        return all(map(_names_only, node.elts))
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _can_leave(body: list[ast.stmt], nested: bool = False) -> bool:
    """Whether a loop body has a way out: its own ``break``, or any ``return``/``raise``."""
    for node in body:
        if isinstance(node, (ast.Return, ast.Raise)) or (isinstance(node, ast.Break) and not nested):
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, (ast.For, ast.While, ast.AsyncFor)):
            if _can_leave(node.body, True) or _can_leave(node.orelse, nested):
                return True
        elif _can_leave(list(ast.iter_child_nodes(node)), nested):
            return True
    return False


# --- RestrictedPython policy -----------------------------------------------------------------

_BINOP_GUARDS = {ast.Add: "_add_", ast.Mult: "_mul_", ast.Pow: "_pow_", ast.LShift: "_lshift_", ast.Mod: "_mod_"}


def _located(new: ast.AST, old: ast.AST) -> Any:
    for node in ast.walk(new):
        if "lineno" in node._attributes and not hasattr(node, "lineno"):
            ast.copy_location(node, old)
    return new


def _call(name: str, args: list[ast.expr], where: ast.AST) -> ast.Call:
    return _located(ast.Call(func=ast.Name(name, ast.Load()), args=args, keywords=[]), where)


def _pure(node: ast.expr) -> bool:
    """Names, constants, and item/attribute reads of those: no calls, no side effects."""
    if isinstance(node, (ast.Name, ast.Constant)):
        return True
    if isinstance(node, ast.Subscript):
        return _pure(node.value) and _pure(node.slice)
    if isinstance(node, ast.Attribute):
        return _pure(node.value)
    return isinstance(node, ast.Tuple) and all(map(_pure, node.elts))


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus our guard calls (see the module docstring, layer 1)."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        guard = _BINOP_GUARDS.get(type(node.op))
        return node if guard is None else _call(guard, [node.left, node.right], node)

    def visit_Starred(self, node: ast.Starred) -> ast.AST:
        node = self.node_contents_visit(node)
        if isinstance(node.ctx, ast.Load):
            node.value = _call("_unpack_", [node.value], node.value)
        return node

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> ast.AST:
        node = super().visit_ExceptHandler(node)
        node.name = node.name or "_sandbox_exc_"
        node.body.insert(0, _located(ast.Expr(_call("_reraise_", [ast.Name(node.name, ast.Load())], node)), node))
        return node

    def visit_Try(self, node: ast.Try) -> ast.AST:
        node = super().visit_Try(node)
        if node.finalbody:
            first = node.finalbody[0]
            node.finalbody.insert(0, _located(ast.Expr(_call("_check_tracer_", [], first)), first))
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        """``d[k] += v`` becomes ``_write_(d)[k] = _inplacevar_('+=', _getitem_(d, k), v)`` when d and k
        have no calls (so evaluating them twice is harmless); RestrictedPython refuses it."""
        target = node.target
        if not (isinstance(target, ast.Subscript) and _pure(target.value) and _pure(target.slice)):
            return super().visit_AugAssign(node)
        container, key, value = self.visit(target.value), self.visit(target.slice), self.visit(node.value)
        current = _call("_getitem_", [container, key], node)
        new = _call("_inplacevar_", [ast.Constant(IOPERATOR_TO_STR[type(node.op)]), current, value], node)
        store = ast.Subscript(_call("_write_", [deepcopy(container)], node), deepcopy(key), ast.Store())
        return _located(ast.Assign(targets=[store], value=new), node)


# --- compilation ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Compiled:
    code: CodeType
    traced: bool  # False only for expressions that cannot loop


def _violation(detail: str, line: int | None) -> SandboxViolation:
    return SandboxViolation(f"line {line}: {detail}" if line else detail, line)


def _build(source: str, mode: str) -> _Compiled:
    if not isinstance(source, str):
        raise TypeError(f"diagram code must be a str, not {type(source).__name__}")
    if len(source) > MAX_SOURCE_CHARS:
        raise _violation(f"diagram code is longer than {MAX_SOURCE_CHARS} characters", None)
    text = textwrap.dedent(source)
    if mode == "eval":  # conditions often carry surrounding whitespace/newlines from the XML
        stripped = text.lstrip()
        skipped_lines, text = text[:len(text) - len(stripped)].count("\n"), stripped.rstrip()
    try:
        tree = ast.parse(text, filename=FILENAME, mode=mode)
        if mode == "eval":
            ast.increment_lineno(tree, skipped_lines)
        checker = _Checker(mode)
        checker.visit(tree)
        compile_restricted = compile_restricted_eval if mode == "eval" else compile_restricted_exec
        result = compile_restricted(tree, filename=FILENAME, policy=_Policy)
    except SyntaxError as exc:
        raise _violation(f"syntax error: {exc.msg}", exc.lineno) from None
    except (RecursionError, MemoryError):
        raise _violation("diagram code is too deeply nested", None) from None
    except ValueError as exc:  # e.g. NUL bytes in the source
        raise _violation(str(exc), None) from None
    problems = list(checker.problems)
    for error in result.errors:  # RestrictedPython's: "Line 3: ..."; ours sort first on a tie
        found = re.match(r"Line (\d+): (.*)", error, re.DOTALL)
        problems.append((int(found[1]), 1 << 30, found[2]) if found else (0, 0, error))
    if problems:
        line, _, message = min(problems)
        raise _violation(message, line or None)
    return _Compiled(result.code, traced=mode == "exec" or checker.loops)


@functools.lru_cache(maxsize=4096)
def _compiled_expression(source: str) -> _Compiled:
    return _build(source, "eval")


@functools.lru_cache(maxsize=1024)
def _compiled_script(source: str) -> _Compiled:
    return _build(source, "exec")


def check_expression(source: str) -> None:
    """Refuse a bad expression at deploy time, before anything runs (raises SandboxViolation)."""
    _compiled_expression(source)


def check_script(source: str) -> None:
    """Refuse a bad script at deploy time, before anything runs (raises SandboxViolation)."""
    _compiled_script(source)


def compile_expression(source: str) -> CodeType:
    """Checked, restricted and cached code object of an expression (they are evaluated often)."""
    return _compiled_expression(source).code


def compile_script(source: str) -> CodeType:
    """Checked, restricted and cached code object of a script."""
    return _compiled_script(source).code


# --- running --------------------------------------------------------------------------------

_namespaces: dict[int, tuple[Limits, dict]] = {id(DEFAULT_LIMITS): (DEFAULT_LIMITS, Guards(DEFAULT_LIMITS).namespace)}


def _namespace(variables: Mapping, extra_globals: Mapping | None, limits: Limits) -> dict:
    """Fresh globals: helpers < variables < guards and builtins (which the code cannot name)."""
    entry = _namespaces.get(id(limits))
    if entry is None or entry[0] is not limits:
        if len(_namespaces) > 64:
            _namespaces.clear()
        entry = _namespaces[id(limits)] = (limits, Guards(limits).namespace)
    base = entry[1]
    return {**extra_globals, **variables, **base} if extra_globals else {**variables, **base}


def _run(compiled: _Compiled, namespace: dict, limits: Limits) -> Any:
    previous = decimal.getcontext()
    decimal.setcontext(DECIMAL_CONTEXT.copy())
    try:
        if compiled.traced:
            return run_with_deadline(compiled.code, namespace, limits.time_seconds)
        return eval(compiled.code, namespace)
    finally:
        decimal.setcontext(previous)


def evaluate(source: str, variables: Mapping, extra_globals: Mapping | None = None,
             limits: Limits = DEFAULT_LIMITS) -> Any:
    """Value of a diagram expression (condition, timer, assignment, DMN cell), run in the sandbox."""
    value = _run(_compiled_expression(source), _namespace(variables, extra_globals, limits), limits)
    if is_code_like(value):
        raise SandboxViolation(f"the expression gave a {type(value).__name__}, not a value")
    return value


def execute(source: str, variables: dict, extra_globals: Mapping | None = None,
            limits: Limits = DEFAULT_LIMITS) -> None:
    """Run a script task body in the sandbox; its top-level names update `variables` in place."""
    namespace = _namespace(variables, extra_globals, limits)
    _run(_compiled_script(source), namespace, limits)
    printed = namespace.get("_print")
    if isinstance(printed, BoundedPrintCollector) and printed.size:
        log.debug("diagram script printed: %s", printed().rstrip())
    extras = extra_globals or {}
    result = {name: value for name, value in namespace.items()
              if name[:1] != "_" and not is_code_like(value) and not (name in extras and value is extras[name])}
    check_data(result.values(), limits)
    for name in [name for name in variables if name not in result and name[:1] != "_"]:
        del variables[name]
    variables.update(result)
