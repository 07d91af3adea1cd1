"""Run-time half of the diagram-code sandbox: limits, errors, guard functions and the deadline.

`app.engine.sandbox` compiles diagram code so that attribute reads, item writes, iteration and the
size-amplifying operators (``+ * ** << %``) call the guards defined here; this module supplies
them, the whitelisted builtins, and the per-thread deadline tracer. Read the threat model in
`app.engine.sandbox` first. Everything here is stdlib + RestrictedPython only.
"""
from __future__ import annotations

import builtins
import decimal
import functools
import math
import operator
import re
import sys
import threading
import time
import types
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence
from RestrictedPython.PrintCollector import PrintCollector
from RestrictedPython.transformer import INSPECT_ATTRIBUTES

FILENAME = "<kuaibao-diagram>"  # co_filename of every sandboxed code object; the tracer keys on it
MAX_FORMAT_WIDTH = 4096         # largest width/precision in a format spec ('%9999d', f'{x:9999}')
MAX_DECIMAL_EXPONENT = 9_999    # |exponent| bound for Decimals, so int()/format() of one stays cheap
MAX_ROUND_DIGITS = 1_000        # round(5, -10**9) would compute 10**(10**9)
MAX_PRINTED_CHARS = 64 * 1024   # print() output kept per run


@dataclass(frozen=True)
class Limits:
    """Per-run budgets: wall time of one evaluate/execute, size of any one object, bits of an int."""
    time_seconds: float = 1.0
    max_items: int = 1_000_000
    max_int_bits: int = 100_000


DEFAULT_LIMITS = Limits()


class SandboxError(Exception):
    """Base class: diagram code broke a sandbox rule (never raised for ordinary script errors)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


class SandboxViolation(SandboxError):
    """Code uses a forbidden construct; raised by the static checks (and by run-time refusals)."""


class SandboxTimeout(SandboxError):
    """Code ran past `Limits.time_seconds`."""


class SandboxResourceError(SandboxError):
    """An operation would build an object larger than the limits allow."""


def sandbox_line() -> int | None:
    """Line of the innermost sandboxed frame on the stack (for messages raised inside guards)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == FILENAME:
            return frame.f_lineno
        frame = frame.f_back
    return None


def fail(cls: type[SandboxError], detail: str) -> SandboxError:
    """Build a sandbox error whose message starts with the diagram-code line, when known."""
    line = sandbox_line()
    return cls(f"line {line}: {detail}" if line else detail, line)


# --- deadline -------------------------------------------------------------------------------

_local = threading.local()  # .run: (deadline, tracer) of the innermost traced run on this thread


def run_with_deadline(code: types.CodeType, namespace: dict, seconds: float) -> Any:
    """eval() `code` with a per-thread tracer that raises SandboxTimeout once `seconds` have passed.

    Only frames of sandboxed code get the (line-event) tracer, so trusted code runs at full speed.
    The previous tracer and deadline are restored on every exit path."""
    deadline = time.monotonic() + seconds

    def local_trace(frame, event, arg):
        if time.monotonic() > deadline:
            raise SandboxTimeout(f"line {frame.f_lineno}: time limit of {seconds:g} s exceeded",
                                 frame.f_lineno)
        return local_trace

    def global_trace(frame, event, arg):
        return local_trace if frame.f_code.co_filename == FILENAME else None

    previous_trace, previous_run = sys.gettrace(), getattr(_local, "run", None)
    _local.run = (deadline, global_trace)
    sys.settrace(global_trace)
    try:
        return eval(code, namespace)
    finally:
        sys.settrace(previous_trace)
        _local.run = previous_run


def check_tracer() -> None:
    """First statement of every ``finally:`` (and, via `reraise`, of every ``except:``). CPython drops
    a thread's tracer when the tracer raises: after our timeout, but also after a RecursionError
    hit while calling it. Diagram code that could go on running untraced must stop instead."""
    run = getattr(_local, "run", None)
    if run is not None and sys.gettrace() is not run[1]:
        if time.monotonic() > run[0]:
            raise fail(SandboxTimeout, "time limit exceeded")
        raise fail(SandboxResourceError, "recursion too deep to keep the time limit enforced")


def reraise(exc: BaseException) -> None:
    """First statement of every ``except:``: scripts may not swallow sandbox errors (or SystemExit),
    nor go on once the tracer was dropped."""
    if isinstance(exc, SandboxError) or not isinstance(exc, Exception):
        raise exc
    check_tracer()


# --- values visible to diagram code -----------------------------------------------------------

DECIMAL_CONTEXT = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN, Emin=-MAX_DECIMAL_EXPONENT,
                                  Emax=MAX_DECIMAL_EXPONENT, capitals=1, clamp=0, flags=[],
                                  traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow])


class _DecimalMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, decimal.Decimal)

    def __subclasscheck__(cls, sub):
        return issubclass(sub, decimal.Decimal)


class SafeDecimal(decimal.Decimal, metaclass=_DecimalMeta):
    """`Decimal` as diagram code sees it: returns a plain Decimal but refuses huge exponents
    (``int(Decimal('1e999999'))`` takes half a minute); isinstance() still works."""

    def __new__(cls, value="0", context=None):
        result = decimal.Decimal(value, context)
        if result.is_finite() and result and abs(result.adjusted()) > MAX_DECIMAL_EXPONENT:
            raise fail(SandboxResourceError, f"Decimal exponent beyond ±{MAX_DECIMAL_EXPONENT}")
        return result


SafeDecimal.__name__ = SafeDecimal.__qualname__ = "Decimal"


class BoundedPrintCollector(PrintCollector):
    """print() target: keeps at most MAX_PRINTED_CHARS and ignores ``file=``."""

    def __init__(self, _getattr_=None):
        super().__init__(_getattr_)
        self.size = 0

    def write(self, text: str) -> None:
        if self.size < MAX_PRINTED_CHARS:
            self.txt.append(text[:MAX_PRINTED_CHARS - self.size])
        self.size += len(text)

    def _call_print(self, *objects, **kwargs):
        kwargs["file"] = self
        print(*objects, **kwargs)


SAFE_BUILTINS = ["abs", "all", "any", "bool", "dict", "divmod", "enumerate", "filter", "float", "int",
                 "isinstance", "len", "list", "map", "max", "min", "reversed", "round", "set", "sorted",
                 "str", "sum", "tuple", "zip"]
SAFE_EXCEPTIONS = ["ArithmeticError", "AssertionError", "AttributeError", "Exception", "IndexError",
                   "KeyError", "LookupError", "NameError", "NotImplementedError", "OverflowError",
                   "RuntimeError", "TypeError", "ValueError", "ZeroDivisionError"]
SAFE_MODULE_ATTRIBUTES: dict[str, frozenset[str]] = {  # only matters if a caller injects a module
    "math": frozenset(["ceil", "floor", "trunc", "fabs", "sqrt", "exp", "log", "log2", "log10", "isclose",
                       "isfinite", "isinf", "isnan", "copysign", "hypot", "pi", "e", "inf", "nan"]),
}

_IMPORTABLE = frozenset({"time", "_strptime", "calendar", "locale", "encodings"})


def import_for_c_code(name, globals=None, locals=None, fromlist=(), level=0):
    """``__import__`` for C code that imports lazily (date.today(), strptime, str.encode codecs).
    Diagram code cannot name it: names starting with '_' are refused statically."""
    if level == 0 and (name in _IMPORTABLE or name.startswith("encodings.")):
        return builtins.__import__(name, globals, locals, fromlist, level)
    raise ImportError(f"import of {name!r} is not allowed in diagram code")


# --- attribute policy -------------------------------------------------------------------------

_OPAQUE_TYPES = (  # objects whose attributes diagram code never needs and must not see
    types.FunctionType, types.BuiltinFunctionType, types.MethodType, types.MethodWrapperType,
    types.WrapperDescriptorType, types.MethodDescriptorType, types.ClassMethodDescriptorType,
    types.GetSetDescriptorType, types.MemberDescriptorType, types.CodeType, types.FrameType,
    types.TracebackType, types.GeneratorType, types.CoroutineType, types.AsyncGeneratorType,
    types.CellType, types.MappingProxyType, types.ModuleType, functools.partial, property,
    staticmethod, classmethod)
_DENIED_TEXT_METHODS = frozenset({"format", "format_map", "translate", "maketrans"})
_ALLOW, _DENY = "allow", "deny"
_RULES: dict[tuple[type, str, bool], str] = {}


def _attribute_rule(owner: type, name: str, on_class: bool) -> str:
    """allow, deny, or the key of a size-checking wrapper in `Guards.wrappers`."""
    if name == "mro" or name in INSPECT_ATTRIBUTES:
        return _DENY
    if issubclass(owner, (str, bytes)):
        if name in _DENIED_TEXT_METHODS:
            return _DENY
        if name in ("ljust", "rjust", "center", "zfill", "expandtabs", "join", "replace"):
            return name
    if issubclass(owner, list) and name == "extend":
        return "extend"
    if not on_class and issubclass(owner, _OPAQUE_TYPES):
        return _DENY
    return _ALLOW


_SEQUENCES = (str, bytes, list, tuple)
_FORMAT_SPEC = r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?"
_FORMAT_RE = {str: re.compile(_FORMAT_SPEC), bytes: re.compile(_FORMAT_SPEC.encode())}


def _text_size(value: Any) -> int:
    """Rough length of str(value), without building it."""
    if isinstance(value, (str, bytes)):
        return len(value)
    if isinstance(value, int):
        return value.bit_length() // 3 + 2
    if isinstance(value, (list, tuple, dict, set, frozenset)):
        return 4 * len(value) + 2
    return 64


def _format_size(fmt: str | bytes, args: Any) -> int:
    """Upper estimate of ``len(fmt % args)``."""
    specs = _FORMAT_RE[str if isinstance(fmt, str) else bytes].findall(fmt)
    values = args if isinstance(args, tuple) else tuple(args.values()) if isinstance(args, dict) else (args,)
    if isinstance(args, dict):
        data = len(specs) * max(map(_text_size, values), default=0)
    else:
        data = sum(map(_text_size, values))
    numbers = [n for spec in specs for n in spec if n]
    widths = sum(int(n) if len(n) < 10 else 10**10 for n in numbers if n not in ("*", b"*"))
    if any(n in ("*", b"*") for n in numbers):
        widths += sum(abs(v) for v in values if isinstance(v, int))
    return len(fmt) + data + widths


def _text_base(s: Any) -> type:
    if isinstance(s, str):
        return str
    if isinstance(s, bytes):
        return bytes
    raise TypeError(f"expected a str, got {type(s).__name__}")


class Guards:
    """Guard functions bound to one `Limits`; `namespace` is the base globals of every run."""

    def __init__(self, limits: Limits):
        self.max_items, self.max_int_bits = limits.max_items, limits.max_int_bits
        self.wrappers = {name: getattr(self, f"_text_{name}") for name in
                         ("ljust", "rjust", "center", "zfill", "expandtabs", "join", "replace")}
        self.wrappers["extend"] = self._list_extend
        safe = {name: getattr(builtins, name) for name in SAFE_BUILTINS + SAFE_EXCEPTIONS}
        safe.update(range=self.range, sum=self.sum, round=self.round, datetime=datetime, date=date,
                    timedelta=timedelta, Decimal=SafeDecimal, __import__=import_for_c_code)
        self.namespace = {
            "__builtins__": safe, "_getattr_": self.getattr, "_getitem_": operator.getitem,
            "_getiter_": iter, "_write_": self.write, "_inplacevar_": self.inplacevar,
            "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
            "_unpack_sequence_": guarded_unpack_sequence, "_apply_": _apply,
            "_print_": BoundedPrintCollector, "_add_": self.add, "_mul_": self.mul, "_pow_": self.pow,
            "_lshift_": self.lshift, "_mod_": self.mod, "_unpack_": self.unpack,
            "_reraise_": reraise, "_check_tracer_": check_tracer,
        }

    # errors
    def _too_many(self, count: int, what: str) -> SandboxError:
        return fail(SandboxResourceError, f"{what} would have {count} items (limit {self.max_items})")

    def _check_count(self, count: int, what: str) -> None:
        if count > self.max_items:
            raise self._too_many(count, what)

    def _check_bits(self, bits: float, what: str) -> None:
        if bits > self.max_int_bits:
            raise fail(SandboxResourceError,
                       f"{what} would give an integer of about {int(bits)} bits (limit {self.max_int_bits})")

    # attribute reads and item writes
    def getattr(self, obj: Any, name: str) -> Any:
        if type(name) is not str or name.startswith("_"):
            raise fail(SandboxViolation, f"attribute {name!r} is not allowed")
        if type(obj) is types.ModuleType:
            if name not in SAFE_MODULE_ATTRIBUTES.get(obj.__name__, ()):
                raise fail(SandboxViolation, f"attribute {name!r} of module {obj.__name__!r} is not allowed")
            return getattr(obj, name)
        on_class = isinstance(obj, type)
        owner = obj if on_class else type(obj)
        key = (owner, name, on_class)
        rule = _RULES.get(key)
        if rule is None:
            if len(_RULES) > 10_000:
                _RULES.clear()
            rule = _RULES[key] = _attribute_rule(owner, name, on_class)
        if rule is _ALLOW:
            return getattr(obj, name)
        if rule is _DENY:
            raise fail(SandboxViolation, f"attribute {name!r} of {owner.__name__} objects is not allowed")
        wrapper = self.wrappers[rule]
        return wrapper if on_class else types.MethodType(wrapper, obj)

    def write(self, obj: Any) -> Any:
        if isinstance(obj, (dict, list, set)):
            return obj
        raise fail(SandboxViolation, f"{type(obj).__name__} objects cannot be modified by diagram code")

    # size-checked str/bytes/list methods (reached through getattr)
    def _text_ljust(self, s, width, *rest):
        self._check_count(width, "ljust()")
        return _text_base(s).ljust(s, width, *rest)

    def _text_rjust(self, s, width, *rest):
        self._check_count(width, "rjust()")
        return _text_base(s).rjust(s, width, *rest)

    def _text_center(self, s, width, *rest):
        self._check_count(width, "center()")
        return _text_base(s).center(s, width, *rest)

    def _text_zfill(self, s, width):
        self._check_count(width, "zfill()")
        return _text_base(s).zfill(s, width)

    def _text_expandtabs(self, s, tabsize=8):
        base = _text_base(s)
        self._check_count(len(s) + base.count(s, "\t" if base is str else b"\t") * max(tabsize, 0),
                          "expandtabs()")
        return base.expandtabs(s, tabsize)

    def _text_join(self, s, iterable):
        base, items = _text_base(s), list(iterable)
        if all(isinstance(item, base) for item in items):
            self._check_count(sum(map(len, items)) + len(s) * max(len(items) - 1, 0), "join()")
        return base.join(s, items)

    def _text_replace(self, s, old, new, count=-1):
        base = _text_base(s)
        if isinstance(old, base) and isinstance(new, base) and isinstance(count, int):
            hits = base.count(s, old) if count < 0 else min(count, base.count(s, old))
            self._check_count(len(s) + hits * (len(new) - len(old)), "replace()")
        return base.replace(s, old, new, count)

    def _list_extend(self, lst, iterable):
        if not isinstance(lst, list):
            raise TypeError(f"extend() needs a list, got {type(lst).__name__}")
        items = iterable if isinstance(iterable, (list, tuple, dict, set, frozenset, str)) else list(iterable)
        self._check_count(len(lst) + len(items), "extend()")
        list.extend(lst, items)

    # operators
    def _check_add(self, a, b):
        if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
            self._check_count(len(a) + len(b), "'+'")

    def _check_mul(self, a, b):
        if isinstance(a, int) and not isinstance(b, int):
            a, b = b, a
        if isinstance(b, int):
            if isinstance(a, int):
                self._check_bits(a.bit_length() + b.bit_length(), "'*'")
            elif isinstance(a, _SEQUENCES):
                self._check_count(len(a) * max(b, 0), "'*'")

    def _check_pow(self, a, b):
        if isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1:
            self._check_bits(b * math.log2(abs(a)), "'**'")

    def _check_lshift(self, a, b):
        if isinstance(a, int) and isinstance(b, int) and a and b > 0:
            self._check_bits(a.bit_length() + b, "'<<'")

    def _check_mod(self, a, b):
        if isinstance(a, (str, bytes)):
            self._check_count(_format_size(a, b), "'%' formatting")

    def add(self, a, b):
        self._check_add(a, b)
        return a + b

    def mul(self, a, b):
        self._check_mul(a, b)
        return a * b

    def pow(self, a, b):
        self._check_pow(a, b)
        return a ** b

    def lshift(self, a, b):
        self._check_lshift(a, b)
        return a << b

    def mod(self, a, b):
        self._check_mod(a, b)
        return a % b

    def inplacevar(self, op: str, x, y):
        checker, func = _INPLACE[op]
        if checker is not None:
            checker(self, x, y)
        return func(x, y)

    def unpack(self, value):
        """``*value`` in a call or display: refuse operands above max_items (stops [*a, *a] doubling)."""
        try:
            count = len(value)
        except TypeError:
            value = list(value)
            count = len(value)
        except OverflowError:
            count = self.max_items + 1
        self._check_count(count, "'*' unpacking")
        return value

    # builtins with a size check
    def range(self, *args):
        result = range(*args)
        try:
            count = len(result)
        except OverflowError:
            count = self.max_items + 1
        self._check_count(count, "range()")
        return result

    def sum(self, iterable: Iterable, start=0):
        if not isinstance(start, (int, float, complex, decimal.Decimal, timedelta)):
            raise fail(SandboxViolation, "sum() only adds numbers; build sequences with a comprehension")
        return sum(iterable, start)

    def round(self, number, ndigits=None):
        if isinstance(ndigits, int) and abs(ndigits) > MAX_ROUND_DIGITS:
            raise fail(SandboxResourceError, f"round() to {ndigits} digits is not allowed")
        return round(number) if ndigits is None else round(number, ndigits)


_INPLACE = {
    "+=": (Guards._check_add, operator.iadd), "*=": (Guards._check_mul, operator.imul),
    "**=": (Guards._check_pow, operator.ipow), "<<=": (Guards._check_lshift, operator.ilshift),
    "%=": (Guards._check_mod, operator.imod), "-=": (None, operator.isub),
    "/=": (None, operator.itruediv), "//=": (None, operator.ifloordiv), ">>=": (None, operator.irshift),
    "|=": (None, operator.ior), "^=": (None, operator.ixor), "&=": (None, operator.iand),
    "@=": (None, operator.imatmul),
}


def _apply(func, *args, **kwargs):
    return func(*args, **kwargs)


_SCALARS = frozenset({type(None), bool, int, float, decimal.Decimal, datetime, date, timedelta})
_DATA = _SCALARS | {str, bytes, list, dict, tuple, set, frozenset}


def is_code_like(value: Any) -> bool:
    """Functions, classes, modules and iterators: things that are not storable process data."""
    if type(value) in _DATA:
        return False
    return callable(value) or isinstance(value, types.ModuleType) or hasattr(type(value), "__next__")


def check_data(values: Iterable, limits: Limits) -> None:
    """Refuse process data that is huge when serialised (shared references count every time they
    appear, as they will in JSON) or that hides functions/iterators inside containers."""
    budget, units, stack = limits.max_items, 0, list(values)
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind in _SCALARS:
            units += 1
        elif kind is str or kind is bytes:
            units += 1 + len(value) // 16
        elif isinstance(value, dict):
            units += len(value) + 1
            if units <= budget:
                stack.extend(value.values())
        elif isinstance(value, (list, tuple, set, frozenset)):
            units += len(value) + 1
            if units <= budget:
                stack.extend(value)
        elif is_code_like(value):
            raise fail(SandboxViolation, f"a {kind.__name__} object cannot be stored in a process variable")
        else:
            units += 1
        if units > budget:
            raise SandboxResourceError(f"process variables are too large after the script "
                                       f"(over {budget} items, or self-referencing)")
