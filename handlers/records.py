"""The pack's records as the handlers see them: plain frozen dataclasses and the `Records` protocol.

Field names follow the Records table of `workflows/CONTRACT.md` (tables `jl_*`). The service passes an
implementation bound to the command's transaction (`app/services/jilin_records.py`); the unit tests pass
`tests/fakes.py::FakeRecords`. Change a record with `dataclasses.replace` and save it again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

OUTLET_KINDS = ("licensed", "filed_terminal")
OUTLET_STATUSES = ("listed", "applying", "out_of_scope", "enrolled", "escalated")
EMPLOYER_KINDS = ("outlet", "enterprise")
ENROLMENT_STATUSES = ("enrolled", "out_of_scope")
BASE_KINDS = ("wages", "average_wage")
PERIOD_STATUSES = ("assessed", "paid", "arrears")
APPLICANT_KINDS = ("employer", "courier", "relative", "union")


@dataclass(frozen=True)
class Enterprise:
    """A licensed express enterprise: the employer of record for its filed terminal outlets (E2)."""

    id: str
    name: str
    region: str
    licence_no: str | None = None


@dataclass(frozen=True)
class Outlet:
    """A basic-level express outlet with the facts that decide its eligibility (E1) and employer (E2)."""

    id: str
    name: str
    region: str
    kind: str
    has_employer_status: bool
    flexible_staffing: bool
    uses_labour_dispatch: bool
    insured_before_notice: bool
    parent_enterprise_id: str | None = None
    industry_class: int | None = None
    floating_grade: int | None = None
    status: str = "listed"
    status_published_on: date | None = None


@dataclass(frozen=True)
class Courier:
    """A courier known to the pack (insured only while on a filed roster)."""

    id: str
    name: str
    id_number: str | None = None


@dataclass(frozen=True)
class RosterPeriod:
    """A courier on an outlet's filed roster from start_date until end_date (exclusive; None = current)."""

    courier_id: str
    outlet_id: str
    start_date: date
    filed_on: date
    end_date: date | None = None
    id: int | None = None

    def covers(self, day: date) -> bool:
        """On the filed roster that day: started, not yet ended, and already filed (E4, B1)."""
        return self.start_date <= day and self.filed_on <= day and (self.end_date is None or day < self.end_date)


@dataclass(frozen=True)
class Enrolment:
    """The outcome of an outlet's enrolment: registered (with its employer of record) or out of scope."""

    outlet_id: str
    status: str
    employer_id: str | None = None
    employer_kind: str | None = None
    registration_no: str | None = None
    registered_on: date | None = None
    reason: str | None = None
    process_instance_id: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class ContributionPeriod:
    """One month's assessed premium for an outlet and its payment (C2, C3)."""

    outlet_id: str
    period: str
    base_kind: str
    rate: Decimal
    premium: Decimal
    due_date: date
    calc: dict[str, Any] = field(default_factory=dict)
    paid_on: date | None = None
    late_fee: Decimal | None = None
    status: str = "assessed"
    id: int | None = None


@dataclass(frozen=True)
class Claim:
    """A work-injury claim followed from filing to payment."""

    claim_no: str
    courier_id: str
    outlet_id: str
    region: str
    accident_date: date
    applicant_kind: str
    filed_on: date
    status: str
    late_employer: bool = False
    decision: str | None = None
    grade: str | None = None
    self_care: str | None = None
    payer: str | None = None
    amounts: dict[str, Any] | None = None
    id: int | None = None


@runtime_checkable
class Records(Protocol):
    """What the handlers read and write; implementations never commit (the service owns the transaction)."""

    def today(self) -> date:
        """The date of the command in the pack's time zone (one clock for every handler)."""

    def get_enterprise(self, enterprise_id: str) -> Enterprise | None:
        """The enterprise, or None."""

    def get_outlet(self, outlet_id: str) -> Outlet | None:
        """The outlet, or None."""

    def upsert_outlet(self, outlet: Outlet) -> Outlet:
        """Create or replace the outlet by id."""

    def set_outlet_status(self, outlet_id: str, status: str, published_on: date | None = None) -> Outlet:
        """Change the outlet's status (and when given, the date it was published)."""

    def get_courier(self, courier_id: str) -> Courier | None:
        """The courier, or None."""

    def upsert_courier(self, courier: Courier) -> Courier:
        """Create or replace the courier by id."""

    def record_enrolment(self, enrolment: Enrolment) -> Enrolment:
        """Create or replace the outlet's enrolment (one per outlet)."""

    def enrolment_for(self, outlet_id: str) -> Enrolment | None:
        """The outlet's enrolment, or None."""

    def add_roster_period(self, period: RosterPeriod) -> RosterPeriod:
        """File a courier on an outlet's roster."""

    def open_roster_period(self, courier_id: str, outlet_id: str) -> RosterPeriod | None:
        """The courier's current (not ended) period at the outlet, or None."""

    def end_roster_period(self, courier_id: str, outlet_id: str, end_date: date) -> RosterPeriod:
        """End the courier's current period at the outlet; LookupError when there is none."""

    def on_roster(self, courier_id: str, outlet_id: str, day: date) -> bool:
        """Whether the courier was on the outlet's filed roster that day (RosterPeriod.covers)."""

    def insured_headcount(self, outlet_id: str, day: date) -> int:
        """How many couriers were on the outlet's filed roster that day."""

    def record_contribution(self, period: ContributionPeriod) -> ContributionPeriod:
        """Create or replace the outlet's contribution for period (one per outlet and month)."""

    def contribution_for(self, outlet_id: str, period: str) -> ContributionPeriod | None:
        """The outlet's contribution for the month `YYYY-MM`, or None."""

    def premium_paid_for(self, outlet_id: str, day: date) -> bool:
        """Whether the premium of the month containing `day` is paid."""

    def upsert_claim(self, claim: Claim) -> Claim:
        """Create or replace the claim by claim_no."""

    def get_claim(self, claim_no: str) -> Claim | None:
        """The claim, or None."""
