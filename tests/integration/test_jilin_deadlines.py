"""The pack's statutory deadlines fire: the job executor runs their timers, which raise the overdue flag and open
a supervisor task (工伤认定办法 Art. 8: acceptance within 15 days; Art. 18: decision within 60)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from app.jobs.executor import JobExecutor
from app.models import Job, ProcessInstance
from app.services.jilin_records import today_in_jilin
from tests.jilin_flow import deploy_pack, groups, local_day, records, start, variable


@pytest.fixture
def pack(kb):
    return deploy_pack(kb)


def fast_forward(kb, instance_id: str, activity_id: str) -> None:
    """Make one waiting timer of an instance due now: its job and the timer's own due time (tests only)."""
    past = datetime.now(timezone.utc) - timedelta(seconds=1)

    def work(s):
        instance = s.get(ProcessInstance, instance_id)
        state = json.loads(instance.workflow)
        for task in state["tasks"].values():
            if task["task_spec"] == activity_id and task["internal_data"].get("event_value"):
                task["internal_data"]["event_value"] = past.isoformat()
        s.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id).values(
            workflow=json.dumps(state), version=instance.version + 1).execution_options(synchronize_session=False))
        s.execute(update(Job).where(Job.process_instance_id == instance_id, Job.activity_id == activity_id)
                  .values(due=past.replace(tzinfo=None)))
    kb.command(work)


def test_an_acceptance_left_too_long_flags_the_claim_and_tells_the_supervisors(pack):
    today = today_in_jilin()
    claim = "GS-DEADLINE-1"
    pi = start(pack, "injury_claim", claim, claim_no=claim, courier_id="C-0001", outlet_id="JL-BA-0002",
               region="changchun", accident_date=today.isoformat(), filed_on=today.isoformat(),
               applicant_kind="employer", description="派件途中摔伤")
    timers = pack.read(lambda s: list(s.scalars(select(Job).where(Job.process_instance_id == pi, Job.type == "timer"))))
    assert len(timers) == 1
    timer = timers[0]
    assert local_day(timer.due) == today + timedelta(days=15)  # P${settings.acceptance_days}D
    eager, pack.after_command = pack.after_command, None  # the executor, not the next command, fires it
    try:
        fast_forward(pack, pi, timer.activity_id)
        assert JobExecutor(pack).run_due() == 2  # the timer, then the overdue flag's handler call
    finally:
        pack.after_command = eager
    assert groups(pack, claim, "督办超期") == {"changchun-managers"}
    assert groups(pack, claim, "受理审核") == {"changchun-hrss"}  # non-interrupting: the case stays open
    assert variable(pack, pi, "overdue_flagged_on") == today.isoformat()
    assert records(pack, lambda r: r.get_claim(claim).status) == "filed"
