"""The handler registry matches the contract, and handlers keep the pack's rules: no provincial numbers in code,
a docstring on every handler, small modules."""
from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

from handlers import HANDLERS

ROOT = Path(__file__).resolve().parents[2]
# 0 and 1 (counting, previous year), 12 (months in a year), 100 (percent): arithmetic, not provincial figures.
PLAIN_NUMBERS = {0, 1, 12, 100}


def test_every_topic_in_the_contract_has_a_handler_and_no_handler_lacks_a_topic():
    topics = set(re.findall(r"`(jilin\.[a-z_]+)`", (ROOT / "workflows/CONTRACT.md").read_text()))
    assert topics and set(HANDLERS) == topics


def test_handlers_hold_no_domain_number():
    found = [f"{path.name}:{node.lineno}: {node.value!r}" for path in (ROOT / "handlers").glob("*.py")
             for node in ast.walk(ast.parse(path.read_text()))
             if isinstance(node, ast.Constant) and type(node.value) in (int, float)
             and node.value not in PLAIN_NUMBERS]
    assert found == []


def test_every_handler_says_why_it_exists_and_modules_stay_small():
    assert [topic for topic, handler in HANDLERS.items() if not inspect.getdoc(handler)] == []
    assert [p.name for p in (ROOT / "handlers").glob("*.py") if len(p.read_text().splitlines()) >= 300] == []
