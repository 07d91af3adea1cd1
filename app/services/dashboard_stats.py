"""The managers' dashboards: coverage of the outlet lists, claims by stage, overdue tasks per agency, days spent per
stage and contributions collected, for one region or the whole province.

Regions are tenants: a caller sees the regions they are a member of (a region's managers: theirs; the process
managers: every region), administrators all of them. Every figure is a SQL aggregate over those regions only: the
`jl_*` records by their `region` column, the engine's rows by their `tenant_id`.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..models import (
    ACTIVE,
    EXTERNALLY_TERMINATED,
    Group,
    HistoryActivity,
    JlClaim,
    JlContributionPeriod,
    JlOutlet,
    ProcessInstance,
    Task,
    TaskCandidate,
    Tenant,
)
from .case_stages import CLAIM_STAGES, STAGES, activity_stage, open_stages, overdue_before
from .case_tracker import CLAIM, OUTCOMES
from .context import Actor, Kuaibao
from .errors import NotFound
from .jilin_records import today_in_jilin

PI, HA = ProcessInstance, HistoryActivity
PROVINCE = "jl"  # the province's own tenant (workflows/CONTRACT.md): part of the provincial view, not a region
OUTLET_STATUSES = ("listed", "applying", "escalated", "enrolled", "out_of_scope")
MONTHS_SHOWN = 12
DAYS_WINDOW = 365  # average days per stage over the work finished in the last year
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Region:
    id: str
    name: str


@dataclass(frozen=True)
class Coverage:
    region: str
    name: str
    counts: dict[str, int]  # by jl_outlet.status

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def in_scope(self) -> int:
        return self.total - self.counts.get("out_of_scope", 0)


@dataclass(frozen=True)
class Contribution:
    period: str
    outlets: int
    assessed: Decimal
    collected: Decimal
    late_fees: Decimal


@dataclass
class Dashboard:
    region: Region | None  # None: the province (every region the caller may see)
    coverage: list[Coverage] = field(default_factory=list)
    open_claims: dict[str, int] = field(default_factory=dict)  # by stage
    closed_claims: dict[str, int] = field(default_factory=dict)  # by outcome
    overdue: list[tuple[str, str, int]] = field(default_factory=list)  # agency id, name, open tasks past due
    overdue_total: int = 0
    days_per_stage: dict[str, tuple[float, int]] = field(default_factory=dict)  # stage: (average days, cases)
    contributions: list[Contribution] = field(default_factory=list)  # oldest month first

    @property
    def enrolled(self) -> int:
        return sum(c.counts.get("enrolled", 0) for c in self.coverage)

    @property
    def in_scope(self) -> int:
        return sum(c.in_scope for c in self.coverage)

    @property
    def coverage_pct(self) -> float | None:
        return round(100 * self.enrolled / self.in_scope, 1) if self.in_scope else None

    @property
    def collected(self) -> Decimal:
        return sum((c.collected + c.late_fees for c in self.contributions), Decimal("0.00"))


def regions_for(kb: Kuaibao, actor: Actor) -> list[Region]:
    """The regions whose figures the caller may see (administrators: all)."""
    def work(s: Session):
        stmt = select(Tenant.id, Tenant.name).where(Tenant.id != PROVINCE).order_by(Tenant.id)
        if not actor.is_admin:
            stmt = stmt.where(Tenant.id.in_(sorted(actor.tenants)))
        return [Region(i, n or i) for i, n in s.execute(stmt)]
    return kb.read(work)


def dashboard(kb: Kuaibao, actor: Actor, region: str | None = None, today: date | None = None) -> Dashboard:
    """The figures of one region (NotFound unless the caller may see it) or of all the caller's regions."""
    allowed = regions_for(kb, actor)
    chosen = next((r for r in allowed if r.id == region), None) if region else None
    if region and chosen is None:
        raise NotFound(f"no region {region}")
    if chosen is not None:
        scope: list[str] | None = [chosen.id]
    elif actor.is_admin:
        scope = None
    else:
        scope = [r.id for r in allowed] + ([PROVINCE] if PROVINCE in actor.tenants else [])
    day = today or today_in_jilin()

    def work(s: Session) -> Dashboard:
        board = Dashboard(chosen, coverage=_coverage(s, scope, allowed), contributions=_contributions(s, scope))
        board.open_claims, board.closed_claims = _claims(kb, s, scope)
        board.overdue, board.overdue_total = _overdue(s, scope, day)
        board.days_per_stage = _days_per_stage(kb, s, scope, day)
        return board
    return kb.read(work)


def _within(column, scope: list[str] | None) -> list:
    return [] if scope is None else [column.in_(scope)]


def _coverage(s: Session, scope, regions: list[Region]) -> list[Coverage]:
    counts: dict[str, Counter] = defaultdict(Counter)
    for region, status, n in s.execute(select(JlOutlet.region, JlOutlet.status, func.count())
                                       .where(*_within(JlOutlet.region, scope))
                                       .group_by(JlOutlet.region, JlOutlet.status)):
        counts[region][status] += n
    names = {r.id: r.name for r in regions}
    return [Coverage(region, names.get(region, region), dict(c)) for region, c in sorted(counts.items())]


def _claims(kb: Kuaibao, s: Session, scope) -> tuple[dict[str, int], dict[str, int]]:
    """Open claims by their current stage; closed claims by how they ended."""
    roots = select(PI.id).where(PI.definition_key == CLAIM, PI.super_process_instance_id.is_(None),
                                PI.state == ACTIVE, *_within(PI.tenant_id, scope))
    open_count = s.scalar(select(func.count()).select_from(roots.subquery())) or 0
    by_stage = Counter(open_stages(kb, s, roots).values())
    by_stage["injury_determination"] += open_count - sum(by_stage.values())  # nothing open yet: just filed
    closed: Counter = Counter()
    for state, status, n in s.execute(select(PI.state, JlClaim.status, func.count())
                                      .outerjoin(JlClaim, JlClaim.claim_no == PI.business_key)
                                      .where(PI.definition_key == CLAIM, PI.super_process_instance_id.is_(None),
                                             PI.state != ACTIVE, *_within(PI.tenant_id, scope))
                                      .group_by(PI.state, JlClaim.status)):
        closed["cancelled" if state == EXTERNALLY_TERMINATED else OUTCOMES.get(status or "", "closed")] += n
    return {stage: by_stage.get(stage, 0) for stage in CLAIM_STAGES}, dict(closed)


def _overdue(s: Session, scope, today: date) -> tuple[list[tuple[str, str, int]], int]:
    """Open tasks whose due day is over, per candidate agency (a task offered to two agencies counts for both)."""
    late = [Task.due < overdue_before(today), *_within(Task.tenant_id, scope)]
    total = s.scalar(select(func.count(Task.id)).where(*late)) or 0
    rows = s.execute(select(TaskCandidate.group_id, Group.name, func.count(func.distinct(Task.id)))
                     .join(TaskCandidate, TaskCandidate.task_id == Task.id)
                     .outerjoin(Group, Group.id == TaskCandidate.group_id)
                     .where(TaskCandidate.group_id.is_not(None), *late)
                     .group_by(TaskCandidate.group_id, Group.name))
    return sorted(((g, name or g, n) for g, name, n in rows), key=lambda r: (-r[2], r[0])), total


def _days_per_stage(kb: Kuaibao, s: Session, scope, today: date) -> dict[str, tuple[float, int]]:
    """Per stage, the average over cases of the days from the first task of that stage opening to the last one
    closing (completed user tasks of the last DAYS_WINDOW days)."""
    since = datetime(today.year, today.month, today.day) - timedelta(days=DAYS_WINDOW)
    rows = s.execute(select(HA.root_process_instance_id, HA.process_definition_id, HA.process_definition_key,
                            HA.activity_id, func.min(HA.start_time), func.max(HA.end_time))
                     .where(HA.activity_type == "userTask", HA.end_time.is_not(None), HA.canceled.is_(False),
                            HA.start_time >= since, *_within(HA.tenant_id, scope))
                     .group_by(HA.root_process_instance_id, HA.process_definition_id, HA.process_definition_key,
                               HA.activity_id))
    spans: dict[tuple[str, str], list[datetime]] = {}
    for root, definition_id, key, activity, first, last in rows:
        stage = activity_stage(kb, s, definition_id, key, activity)
        if stage is None:
            continue
        span = spans.setdefault((root, stage), [first, last])
        span[0], span[1] = min(span[0], first), max(span[1], last)
    days: dict[str, list[float]] = defaultdict(list)
    for (_, stage), (first, last) in spans.items():
        days[stage].append((last - first).total_seconds() / 86400)
    return {stage: (round(sum(days[stage]) / len(days[stage]), 1), len(days[stage])) for stage in STAGES
            if days.get(stage)}


def _contributions(s: Session, scope) -> list[Contribution]:
    """Premiums assessed and collected (with late fees) per month, the last MONTHS_SHOWN months that have any."""
    cp = JlContributionPeriod
    paid = cp.status == "paid"
    rows = s.execute(select(cp.period, func.count(), func.sum(cp.premium), func.sum(case((paid, cp.premium), else_=0)),
                            func.sum(case((paid, func.coalesce(cp.late_fee, 0)), else_=0)))
                     .join(JlOutlet, JlOutlet.id == cp.outlet_id).where(*_within(JlOutlet.region, scope))
                     .group_by(cp.period).order_by(cp.period.desc()).limit(MONTHS_SHOWN)).all()
    return [Contribution(period, n, _money(assessed), _money(collected), _money(fees))
            for period, n, assessed, collected, fees in reversed(rows)]


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)
