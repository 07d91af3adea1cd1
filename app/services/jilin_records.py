"""`SqlRecords`: the Jilin pack's records (`handlers.records.Records`) on the command's session.

It flushes so that later reads in the same command see earlier writes, and never commits: the service that
opened the transaction owns it (`Kuaibao.records_factory` builds one per command).
"""
from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime
from typing import Any, Callable, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from handlers.records import Claim, ContributionPeriod, Courier, Enrolment, Enterprise, Outlet, RosterPeriod

from ..models import JlClaim, JlContributionPeriod, JlCourier, JlEnrolment, JlEnterprise, JlOutlet, JlRosterPeriod

PACK_ZONE = ZoneInfo("Asia/Shanghai")  # the agencies' working day, whatever the server's zone
R = TypeVar("R")


def today_in_jilin() -> date:
    """Today's date where the agencies work."""
    return datetime.now(PACK_ZONE).date()


def _record(cls: type[R], row: Any) -> R:
    """The dataclass for a row (columns and fields share their names)."""
    return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})  # type: ignore[arg-type]


def _copy(record: Any, row: Any) -> Any:
    """Write a dataclass's fields onto a row, keeping the row's own primary key."""
    for f in fields(record):
        if f.name != "id" or getattr(row, "id", None) is None:
            setattr(row, f.name, getattr(record, f.name))
    return row


class SqlRecords:
    """The records of one transaction; `clock` gives the pack's today (tests may fix it)."""

    def __init__(self, session: Session, clock: Callable[[], date] = today_in_jilin):
        self.session = session
        self.clock = clock

    def today(self) -> date:
        return self.clock()

    def _save(self, row: Any) -> Any:
        self.session.add(row)
        self.session.flush()
        return row

    def _by_key(self, model: Any, record: Any) -> Any:
        """Create or replace a row whose primary key is the record's id."""
        return self._save(_copy(record, self.session.get(model, record.id) or model(id=record.id)))

    # outlets and enterprises
    def get_enterprise(self, enterprise_id: str) -> Enterprise | None:
        row = self.session.get(JlEnterprise, enterprise_id)
        return _record(Enterprise, row) if row else None

    def upsert_enterprise(self, enterprise: Enterprise) -> Enterprise:
        """Create or replace the enterprise by id (demo data and imports; the handlers only read them)."""
        return _record(Enterprise, self._by_key(JlEnterprise, enterprise))

    def get_outlet(self, outlet_id: str) -> Outlet | None:
        row = self.session.get(JlOutlet, outlet_id)
        return _record(Outlet, row) if row else None

    def upsert_outlet(self, outlet: Outlet) -> Outlet:
        return _record(Outlet, self._by_key(JlOutlet, outlet))

    def set_outlet_status(self, outlet_id: str, status: str, published_on: date | None = None) -> Outlet:
        row = self.session.get(JlOutlet, outlet_id)
        if row is None:
            raise LookupError(f"no outlet {outlet_id!r}")
        row.status = status
        if published_on is not None:
            row.status_published_on = published_on
        return _record(Outlet, self._save(row))

    # couriers and rosters
    def get_courier(self, courier_id: str) -> Courier | None:
        row = self.session.get(JlCourier, courier_id)
        return _record(Courier, row) if row else None

    def upsert_courier(self, courier: Courier) -> Courier:
        return _record(Courier, self._by_key(JlCourier, courier))

    def add_roster_period(self, period: RosterPeriod) -> RosterPeriod:
        row = _copy(period, JlRosterPeriod())
        row.id = None
        return _record(RosterPeriod, self._save(row))

    def _open_row(self, courier_id: str, outlet_id: str) -> JlRosterPeriod | None:
        return self.session.scalars(
            select(JlRosterPeriod).where(JlRosterPeriod.courier_id == courier_id, JlRosterPeriod.outlet_id == outlet_id,
                                         JlRosterPeriod.end_date.is_(None))
            .order_by(JlRosterPeriod.start_date.desc(), JlRosterPeriod.id.desc()).limit(1)).first()

    def open_roster_period(self, courier_id: str, outlet_id: str) -> RosterPeriod | None:
        row = self._open_row(courier_id, outlet_id)
        return _record(RosterPeriod, row) if row else None

    def end_roster_period(self, courier_id: str, outlet_id: str, end_date: date) -> RosterPeriod:
        row = self._open_row(courier_id, outlet_id)
        if row is None:
            raise LookupError(f"courier {courier_id} is not on the roster of outlet {outlet_id}")
        if end_date < row.start_date:
            raise ValueError(f"end date {end_date} is before the period's start {row.start_date}")
        row.end_date = end_date
        return _record(RosterPeriod, self._save(row))

    @staticmethod
    def _covering(day: date) -> tuple[Any, ...]:
        """The SQL twin of RosterPeriod.covers."""
        return (JlRosterPeriod.start_date <= day, JlRosterPeriod.filed_on <= day,
                or_(JlRosterPeriod.end_date.is_(None), JlRosterPeriod.end_date > day))

    def on_roster(self, courier_id: str, outlet_id: str, day: date) -> bool:
        return self.session.scalar(select(func.count()).select_from(JlRosterPeriod).where(
            JlRosterPeriod.courier_id == courier_id, JlRosterPeriod.outlet_id == outlet_id,
            *self._covering(day))) > 0

    def insured_headcount(self, outlet_id: str, day: date) -> int:
        return self.session.scalar(select(func.count(func.distinct(JlRosterPeriod.courier_id))).where(
            JlRosterPeriod.outlet_id == outlet_id, *self._covering(day))) or 0

    # enrolments
    def record_enrolment(self, enrolment: Enrolment) -> Enrolment:
        row = self.session.scalars(select(JlEnrolment).where(JlEnrolment.outlet_id == enrolment.outlet_id)).first()
        return _record(Enrolment, self._save(_copy(enrolment, row or JlEnrolment())))

    def enrolment_for(self, outlet_id: str) -> Enrolment | None:
        row = self.session.scalars(select(JlEnrolment).where(JlEnrolment.outlet_id == outlet_id)).first()
        return _record(Enrolment, row) if row else None

    # contributions
    def _contribution_row(self, outlet_id: str, period: str) -> JlContributionPeriod | None:
        return self.session.scalars(select(JlContributionPeriod).where(
            JlContributionPeriod.outlet_id == outlet_id, JlContributionPeriod.period == period)).first()

    def record_contribution(self, period: ContributionPeriod) -> ContributionPeriod:
        row = self._contribution_row(period.outlet_id, period.period) or JlContributionPeriod()
        return _record(ContributionPeriod, self._save(_copy(period, row)))

    def contribution_for(self, outlet_id: str, period: str) -> ContributionPeriod | None:
        row = self._contribution_row(outlet_id, period)
        return _record(ContributionPeriod, row) if row else None

    def premium_paid_for(self, outlet_id: str, day: date) -> bool:
        row = self._contribution_row(outlet_id, f"{day:%Y-%m}")
        return row is not None and row.status == "paid"

    # claims
    def upsert_claim(self, claim: Claim) -> Claim:
        row = self.session.scalars(select(JlClaim).where(JlClaim.claim_no == claim.claim_no)).first()
        return _record(Claim, self._save(_copy(claim, row or JlClaim())))

    def get_claim(self, claim_no: str) -> Claim | None:
        row = self.session.scalars(select(JlClaim).where(JlClaim.claim_no == claim_no)).first()
        return _record(Claim, row) if row else None
