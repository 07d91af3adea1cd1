"""Fakes, not mocks: small in-memory implementations of the protocols the code depends on."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from app.engine.runtime import HandlerCall
from handlers.records import Claim, ContributionPeriod, Courier, Enrolment, Enterprise, Outlet, RosterPeriod


@dataclass
class FakeRecords:
    """`handlers.records.Records` in dicts, with a fixed today."""

    today_is: date = date(2022, 6, 15)
    enterprises: dict[str, Enterprise] = field(default_factory=dict)
    outlets: dict[str, Outlet] = field(default_factory=dict)
    couriers: dict[str, Courier] = field(default_factory=dict)
    roster: list[RosterPeriod] = field(default_factory=list)
    enrolments: dict[str, Enrolment] = field(default_factory=dict)
    contributions: dict[tuple[str, str], ContributionPeriod] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)

    def today(self) -> date:
        return self.today_is

    def get_enterprise(self, enterprise_id: str) -> Enterprise | None:
        return self.enterprises.get(enterprise_id)

    def upsert_enterprise(self, enterprise: Enterprise) -> Enterprise:
        self.enterprises[enterprise.id] = enterprise
        return enterprise

    def get_outlet(self, outlet_id: str) -> Outlet | None:
        return self.outlets.get(outlet_id)

    def upsert_outlet(self, outlet: Outlet) -> Outlet:
        if outlet.parent_enterprise_id and outlet.parent_enterprise_id not in self.enterprises:
            raise LookupError(f"no enterprise {outlet.parent_enterprise_id}")  # as the foreign key would
        self.outlets[outlet.id] = outlet
        return outlet

    def set_outlet_status(self, outlet_id: str, status: str, published_on: date | None = None) -> Outlet:
        outlet = self.outlets[outlet_id]
        outlet = replace(outlet, status=status, status_published_on=published_on or outlet.status_published_on)
        self.outlets[outlet_id] = outlet
        return outlet

    def get_courier(self, courier_id: str) -> Courier | None:
        return self.couriers.get(courier_id)

    def upsert_courier(self, courier: Courier) -> Courier:
        self.couriers[courier.id] = courier
        return courier

    def record_enrolment(self, enrolment: Enrolment) -> Enrolment:
        old = self.enrolments.get(enrolment.outlet_id)
        enrolment = replace(enrolment, id=old.id if old else len(self.enrolments) + 1)
        self.enrolments[enrolment.outlet_id] = enrolment
        return enrolment

    def enrolment_for(self, outlet_id: str) -> Enrolment | None:
        return self.enrolments.get(outlet_id)

    def add_roster_period(self, period: RosterPeriod) -> RosterPeriod:
        if period.courier_id not in self.couriers or period.outlet_id not in self.outlets:
            raise LookupError("unknown courier or outlet")  # as the foreign keys would
        period = replace(period, id=len(self.roster) + 1)
        self.roster.append(period)
        return period

    def open_roster_period(self, courier_id: str, outlet_id: str) -> RosterPeriod | None:
        open_ = [p for p in self.roster if (p.courier_id, p.outlet_id) == (courier_id, outlet_id) and not p.end_date]
        return max(open_, key=lambda p: (p.start_date, p.id or 0), default=None)

    def end_roster_period(self, courier_id: str, outlet_id: str, end_date: date) -> RosterPeriod:
        period = self.open_roster_period(courier_id, outlet_id)
        if period is None:
            raise LookupError(f"courier {courier_id} is not on the roster of outlet {outlet_id}")
        if end_date < period.start_date:
            raise ValueError(f"end date {end_date} is before the period's start {period.start_date}")
        ended = replace(period, end_date=end_date)
        self.roster[self.roster.index(period)] = ended
        return ended

    def on_roster(self, courier_id: str, outlet_id: str, day: date) -> bool:
        return any(p.covers(day) for p in self.roster if (p.courier_id, p.outlet_id) == (courier_id, outlet_id))

    def insured_headcount(self, outlet_id: str, day: date) -> int:
        return len({p.courier_id for p in self.roster if p.outlet_id == outlet_id and p.covers(day)})

    def record_contribution(self, period: ContributionPeriod) -> ContributionPeriod:
        key = (period.outlet_id, period.period)
        old = self.contributions.get(key)
        period = replace(period, id=old.id if old else len(self.contributions) + 1)
        self.contributions[key] = period
        return period

    def contribution_for(self, outlet_id: str, period: str) -> ContributionPeriod | None:
        return self.contributions.get((outlet_id, period))

    def premium_paid_for(self, outlet_id: str, day: date) -> bool:
        period = self.contributions.get((outlet_id, f"{day:%Y-%m}"))
        return period is not None and period.status == "paid"

    def upsert_claim(self, claim: Claim) -> Claim:
        old = self.claims.get(claim.claim_no)
        claim = replace(claim, id=old.id if old else len(self.claims) + 1)
        self.claims[claim.claim_no] = claim
        return claim

    def get_claim(self, claim_no: str) -> Claim | None:
        return self.claims.get(claim_no)


def call(records: Any, topic: str = "jilin.test", **variables: Any) -> HandlerCall:
    """The call a handler receives from the engine, for a topic and its variables."""
    return HandlerCall(variables=dict(variables), topic=topic, activity_id="Task_test", business_key="BK-1",
                       process_instance_id="pi-1", records=records)
