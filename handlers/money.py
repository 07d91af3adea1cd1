"""Money as Decimal rounded to the fen, and the `<name>_calc` record that lets an auditor re-derive an amount."""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Mapping

FEN = Decimal("0.01")
HUNDRED = Decimal(100)


def to_fen(value: Decimal | int) -> Decimal:
    """Round to 0.01 yuan, half up, as the contract requires for every amount."""
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def fen_text(value: Decimal | int) -> str:
    """An amount as the string the variables carry (`"1234.50"`)."""
    return str(to_fen(value))


def parse_decimal(value: Any, name: str) -> Decimal:
    """A finite, non-negative decimal from a string, int, float or Decimal; ValueError naming `name`."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"variable '{name}' must be a number, got {value!r}")
    if isinstance(value, float):
        value = repr(value)  # 0.004 -> "0.004", not its binary expansion
    text = str(value).strip().replace(",", "").removeprefix("¥").removesuffix("元").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"variable '{name}' must be a number, got {value!r}") from None
    if not number.is_finite() or number < 0:
        raise ValueError(f"variable '{name}' must be a finite, non-negative number, got {value!r}")
    return number


def parse_amount(value: Any, name: str) -> Decimal:
    """An amount of money (e.g. `"1,234.5"` or `"1234.50元"`) rounded to the fen."""
    return to_fen(parse_decimal(value, name))


def calc(amount: Decimal | int, formula: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The `<name>_calc` Json variable: the rounded amount, the formula and its inputs as strings."""
    return {"amount": fen_text(amount), "formula": formula, "inputs": {k: _plain(v) for k, v in inputs.items()}}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
