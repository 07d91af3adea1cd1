"""The Jilin pack's records (tables `jl_*`, workflows/CONTRACT.md): outlets, couriers, rosters, enrolments,
contributions and claims. Columns mirror the dataclasses of `handlers/records.py`, field for field."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

MONEY = Numeric(14, 2)
RATE = Numeric(12, 8)


class JlEnterprise(Base):
    __tablename__ = "jl_enterprise"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    region: Mapped[str] = mapped_column(String(32), index=True)
    licence_no: Mapped[str | None] = mapped_column(String(64))


class JlOutlet(Base):
    __tablename__ = "jl_outlet"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    region: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    parent_enterprise_id: Mapped[str | None] = mapped_column(ForeignKey("jl_enterprise.id"), index=True)
    has_employer_status: Mapped[bool] = mapped_column()
    flexible_staffing: Mapped[bool] = mapped_column()
    uses_labour_dispatch: Mapped[bool] = mapped_column()
    insured_before_notice: Mapped[bool] = mapped_column()
    industry_class: Mapped[int | None] = mapped_column(Integer)
    floating_grade: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32), index=True)
    status_published_on: Mapped[date | None] = mapped_column(Date)


class JlCourier(Base):
    __tablename__ = "jl_courier"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    id_number: Mapped[str | None] = mapped_column(String(32), index=True)


class JlRosterPeriod(Base):
    """A courier on an outlet's filed roster from start_date until end_date (exclusive; NULL = current)."""

    __tablename__ = "jl_roster_period"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    courier_id: Mapped[str] = mapped_column(ForeignKey("jl_courier.id"), index=True)
    outlet_id: Mapped[str] = mapped_column(ForeignKey("jl_outlet.id"))  # indexed by ix_jl_roster_period_lookup
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    filed_on: Mapped[date] = mapped_column(Date)


class JlEnrolment(Base):
    """One per outlet: registered with its employer of record, or out of the priority scope with the reason."""

    __tablename__ = "jl_enrolment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    outlet_id: Mapped[str] = mapped_column(ForeignKey("jl_outlet.id"), unique=True)
    employer_id: Mapped[str | None] = mapped_column(String(64))
    employer_kind: Mapped[str | None] = mapped_column(String(32))
    registration_no: Mapped[str | None] = mapped_column(String(64))
    registered_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(1000))
    process_instance_id: Mapped[str | None] = mapped_column(String(64))


class JlContributionPeriod(Base):
    """An outlet's premium for one month `YYYY-MM` and its payment."""

    __tablename__ = "jl_contribution_period"
    __table_args__ = (UniqueConstraint("outlet_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    outlet_id: Mapped[str] = mapped_column(ForeignKey("jl_outlet.id"))
    period: Mapped[str] = mapped_column(String(7))
    base_kind: Mapped[str] = mapped_column(String(32))
    rate: Mapped[Decimal] = mapped_column(RATE)
    premium: Mapped[Decimal] = mapped_column(MONEY)
    calc: Mapped[dict[str, Any]] = mapped_column(JSON)
    due_date: Mapped[date] = mapped_column(Date)
    paid_on: Mapped[date | None] = mapped_column(Date)
    late_fee: Mapped[Decimal | None] = mapped_column(MONEY)
    status: Mapped[str] = mapped_column(String(32), index=True)


class JlClaim(Base):
    """A work-injury claim. courier_id and outlet_id are not foreign keys: an uninsured employer's claim (Art. 62)
    may name an outlet or courier the records never saw."""

    __tablename__ = "jl_claim"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    claim_no: Mapped[str] = mapped_column(String(64), unique=True)
    courier_id: Mapped[str] = mapped_column(String(64), index=True)
    outlet_id: Mapped[str] = mapped_column(String(64), index=True)
    region: Mapped[str] = mapped_column(String(32), index=True)
    accident_date: Mapped[date] = mapped_column(Date)
    applicant_kind: Mapped[str] = mapped_column(String(32))
    filed_on: Mapped[date] = mapped_column(Date)
    late_employer: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(32), index=True)
    decision: Mapped[str | None] = mapped_column(String(32))
    grade: Mapped[str | None] = mapped_column(String(8))
    self_care: Mapped[str | None] = mapped_column(String(16))
    payer: Mapped[str | None] = mapped_column(String(16))
    amounts: Mapped[dict[str, Any] | None] = mapped_column(JSON)


Index("ix_jl_roster_period_lookup", JlRosterPeriod.outlet_id, JlRosterPeriod.courier_id, JlRosterPeriod.start_date)
