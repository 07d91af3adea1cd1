"""Money helpers: fen rounding half up, amounts parsed from what forms and decisions send, the _calc record."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from handlers.money import calc, fen_text, parse_amount, parse_decimal, to_fen


@pytest.mark.parametrize("value, fen", [("76.61796", "76.62"), ("0.005", "0.01"), ("2.675", "2.68"),
                                        ("3830.898", "3830.90"), ("0.7662", "0.77"), ("12", "12.00")])
def test_amounts_round_half_up_to_the_fen(value, fen):
    assert to_fen(Decimal(value)) == Decimal(fen) and fen_text(Decimal(value)) == fen


@pytest.mark.parametrize("value, amount", [("1,000,000", "1000000.00"), (" 25.539 ", "25.54"), ("¥12.5", "12.50"),
                                           ("88元", "88.00"), (5000, "5000.00"), (0.1, "0.10")])
def test_amounts_parse_from_strings_and_numbers(value, amount):
    assert parse_amount(value, "x") == Decimal(amount)


@pytest.mark.parametrize("value", ["abc", "-1", "NaN", "Infinity", None, True, ""])
def test_bad_amounts_name_the_variable(value):
    with pytest.raises(ValueError, match="variable 'premium'"):
        parse_amount(value, "premium")


def test_a_float_rate_keeps_its_decimal_spelling():
    assert parse_decimal(0.004, "rate") == Decimal("0.004")


def test_calc_records_the_rounded_amount_its_formula_and_inputs_as_text():
    assert calc(Decimal("76.61796"), "w × n × r", {"w": Decimal("6384.83"), "n": 3, "on": date(2022, 6, 30)}) == {
        "amount": "76.62", "formula": "w × n × r", "inputs": {"w": "6384.83", "n": 3, "on": "2022-06-30"}}
