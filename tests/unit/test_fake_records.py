"""FakeRecords keeps the records contract that SqlRecords keeps (tests/records_contract.py)."""
from __future__ import annotations

import pytest

from handlers.records import Records
from tests.fakes import FakeRecords
from tests.records_contract import SCENARIOS


def test_fake_records_have_every_method_of_the_protocol():
    assert isinstance(FakeRecords(), Records)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_fake_records_keep_the_records_contract(scenario):
    scenario(FakeRecords())
