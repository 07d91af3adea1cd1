"""The claim tracker: find a case by claim number, courier or outlet, and tell where it stands.

A **claim case** is the tree of an `injury_claim` instance (business key = claim number) and the
`disability_appraisal` / `benefit_payment` instances it calls. An **outlet case** is the outlet's `outlet_enrolment`
instance and its `contribution` instances. Either is shown only to whoever may read its instances (the
authorization policy's history filter: the outlet's staff through `readerGroups`, the agencies that were offered or
worked its tasks, the region's managers, administrators); to anyone else it does not exist.

The five-stage bar of a claim puts the outlet's own stages first: enrolment is done when the outlet was registered
by the day of the accident, contribution when the accident month's premium was paid (rule B1: otherwise the
employer pays); then injury determination, appraisal and payment follow the claim's tree (case_stages).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from ..models import (
    ACTIVE,
    EXTERNALLY_TERMINATED,
    HistoryActivity,
    JlClaim,
    JlContributionPeriod,
    JlCourier,
    JlEnrolment,
    JlOutlet,
    ProcessInstance,
    Tenant,
)
from . import case_access
from .case_stages import CLAIM_STAGES, PROCESS_STAGE, STAGES, activity_stage, furthest, open_stages, stage_rank
from .case_work import STATUTORY_DATES, Deadline, Happening, Holder, deadlines, holders, process_names, timeline
from .context import Actor, Kuaibao
from .errors import NotFound
from .jilin_records import today_in_jilin
from .persistence import load_variables

PI = ProcessInstance
SEARCH_LIMIT = 50
CLAIM, ENROLMENT, CONTRIBUTION = "injury_claim", "outlet_enrolment", "contribution"
# How a closed claim ended, from its record (jl_claim.status): refused filing, not a work injury, paid…
OUTCOMES = {"refused": "refused", "closed": "not_work_injury", "decided": "no_disability", "paid": "paid",
            "fund_paid": "paid"}


@dataclass(frozen=True)
class Stage:
    """One segment of the stage bar. `state`: done, current, warn (the outlet's stage is missing for this claim),
    ended (the case closed here without a positive outcome), todo; `note`: a code the page words (outcome, …)."""

    code: str
    state: str
    note: str | None = None
    on: date | None = None


@dataclass(frozen=True)
class Hit:
    """A search result: a claim (key = claim number) or an outlet (key = outlet id)."""

    kind: str
    key: str
    title: str | None
    subtitle: str | None
    region: str | None
    stage: str | None
    status: str | None  # claims: open / the outcome code; outlets: jl_outlet.status
    started: datetime | None = None
    monthly_list_id: str | None = None


@dataclass
class Case:
    kind: str  # claim / outlet
    key: str
    facts: dict
    stages: list[Stage]
    current_stage: str | None
    outcome: str | None
    holders: list[Holder]
    deadlines: list[Deadline]
    timeline: list[Happening]
    diagram_definition_id: str | None
    highlight: list[str]
    instances: list[ProcessInstance]
    claims: list[Hit] = field(default_factory=list)
    monthly_list_id: str | None = None
    process_names: dict[str, str | None] = field(default_factory=dict)  # by instance id


_readable = case_access.readable  # WHERE conditions: the instances the caller may follow


# --- search ---------------------------------------------------------------------------------------------------

def search(kb: Kuaibao, actor: Actor, query: str) -> list[Hit]:
    """Claims whose number contains the text or whose courier (id or name) or outlet id it names, and outlets whose
    id or name contains it; only cases the caller may read."""
    text = (query or "").strip()
    if not text:
        return []
    return kb.read(lambda s: _claim_hits(kb, actor, s, text) + _outlet_hits(kb, actor, s, text))


def _claim_hits(kb: Kuaibao, actor: Actor, s: Session, text: str, outlet_id: str | None = None) -> list[Hit]:
    courier = aliased(JlCourier)
    if outlet_id is not None:
        matches = JlClaim.outlet_id == outlet_id
    else:
        pattern = f"%{text.lower()}%"
        matches = or_(func.lower(PI.business_key).like(pattern), func.lower(JlClaim.courier_id) == text.lower(),
                      func.lower(JlClaim.outlet_id) == text.lower(), func.lower(courier.name).like(pattern))
    rows = s.execute(select(PI, JlClaim, courier.name.label("courier_name"))
                     .outerjoin(JlClaim, JlClaim.claim_no == PI.business_key)
                     .outerjoin(courier, courier.id == JlClaim.courier_id)
                     .where(PI.definition_key == CLAIM, PI.super_process_instance_id.is_(None), matches,
                            *_readable(kb, actor, s))
                     .order_by(PI.start_time.desc()).limit(SEARCH_LIMIT * 2)).all()
    latest: dict[str, tuple] = {}
    for row in rows:
        latest.setdefault(row[0].business_key, row)
    chosen = list(latest.values())[:SEARCH_LIMIT]
    stages = open_stages(kb, s, [row[0].id for row in chosen])
    closed = _final_stages(kb, s, [i.id for i, *_ in chosen if not (i.state == ACTIVE and i.id in stages)])
    hits = []
    for instance, claim, courier_name in chosen:
        stage = (stages.get(instance.id) if instance.state == ACTIVE else None) or closed[instance.id]
        hits.append(Hit("claim", instance.business_key, courier_name or (claim.courier_id if claim else None),
                        claim.outlet_id if claim else None, instance.tenant_id, stage,
                        "open" if instance.state == ACTIVE else _outcome(instance, claim), instance.start_time))
    return hits


def _outlet_hits(kb: Kuaibao, actor: Actor, s: Session, text: str) -> list[Hit]:
    outlets = s.scalars(select(JlOutlet).where(or_(func.lower(JlOutlet.id).like(f"%{text.lower()}%"),
                                                   JlOutlet.name.like(f"%{text}%")))
                        .order_by(JlOutlet.id).limit(SEARCH_LIMIT)).all()
    hits = []
    for outlet in outlets:
        found = _outlet_instances(kb, actor, s, outlet.id)
        if not found:
            continue
        enrolment = next((i for i in found if i.definition_key == ENROLMENT), None)
        stage = "enrolment" if enrolment is not None and enrolment.state == ACTIVE else \
            "contribution" if any(i.definition_key == CONTRIBUTION and i.state == ACTIVE for i in found) else None
        hits.append(Hit("outlet", outlet.id, outlet.name, outlet.kind, outlet.region, stage, outlet.status,
                        found[0].start_time, _monthly_list(kb, actor, s, enrolment)))
    return hits


# --- claim case -------------------------------------------------------------------------------------------------

def claim_case(kb: Kuaibao, actor: Actor, claim_no: str, today: date | None = None) -> Case:
    """The claim's stages, holders, deadlines, facts and timeline; NotFound when it is not the caller's to see."""
    return kb.read(lambda s: _claim_case(kb, actor, s, claim_no, today or today_in_jilin()))


def _claim_case(kb: Kuaibao, actor: Actor, s: Session, claim_no: str, today: date) -> Case:
    root = s.scalars(select(PI).where(PI.definition_key == CLAIM, PI.business_key == claim_no,
                                      PI.super_process_instance_id.is_(None), *_readable(kb, actor, s))
                     .order_by(PI.start_time.desc()).limit(1)).first()
    if root is None:
        raise NotFound(f"no claim {claim_no}")
    tree = list(s.scalars(select(PI).where(or_(PI.id == root.id, PI.root_process_instance_id == root.id),
                                           *_readable(kb, actor, s)).order_by(PI.start_time)))
    claim = s.scalar(select(JlClaim).where(JlClaim.claim_no == claim_no))
    open_work = holders(kb, s, [i for i in tree if i.state == ACTIVE])
    outcome = None if root.state == ACTIVE else _outcome(root, claim)
    if root.state == ACTIVE:  # a tree with nothing open (a job queued between two steps) stays where it got to
        current = reached = open_stages(kb, s, [root.id]).get(root.id) or _final_stage(kb, s, root.id)
    else:
        current, reached = None, _final_stage(kb, s, root.id)
    stages = _outlet_stages_for(s, claim) + _claim_stages(reached, current, outcome)
    definition_id, highlight = _diagram(kb, s, tree, root)
    return Case("claim", claim_no, _claim_facts(s, root, claim), stages, current, outcome, open_work,
                deadlines(open_work, _statutory_values(s, tree), today), timeline(s, tree), definition_id,
                highlight, tree, process_names=process_names(s, tree))


def _claim_stages(reached: str | None, current: str | None, outcome: str | None) -> list[Stage]:
    stages = []
    for code in CLAIM_STAGES:
        if current is not None:
            state = "current" if code == current else "done" if stage_rank(code) < stage_rank(current) else "todo"
            stages.append(Stage(code, state))
        elif code == reached:
            stages.append(Stage(code, "done" if outcome in ("paid", "no_disability") else "ended", outcome))
        else:
            stages.append(Stage(code, "done" if stage_rank(code) < stage_rank(reached) else "todo"))
    return stages


def _outlet_stages_for(s: Session, claim: JlClaim | None) -> list[Stage]:
    """Enrolment and contribution as they stood for the claim: on the day and in the month of the accident."""
    if claim is None:
        return [Stage("enrolment", "todo"), Stage("contribution", "todo")]
    enrolment = s.scalar(select(JlEnrolment).where(JlEnrolment.outlet_id == claim.outlet_id))
    if enrolment is None:
        enrolled = Stage("enrolment", "warn", "not_enrolled")
    elif enrolment.status != "enrolled":
        enrolled = Stage("enrolment", "warn", "out_of_scope")
    elif enrolment.registered_on is not None and enrolment.registered_on > claim.accident_date:
        enrolled = Stage("enrolment", "warn", "enrolled_after_accident", enrolment.registered_on)
    else:
        enrolled = Stage("enrolment", "done", "enrolled", enrolment.registered_on)
    period = s.scalar(select(JlContributionPeriod).where(JlContributionPeriod.outlet_id == claim.outlet_id,
                                                         JlContributionPeriod.period == f"{claim.accident_date:%Y-%m}"))
    if period is None:
        paid = Stage("contribution", "warn", "not_assessed")
    elif period.status == "paid":
        paid = Stage("contribution", "done", "paid", period.paid_on)
    else:
        paid = Stage("contribution", "warn", "unpaid")
    return [enrolled, paid]


def _claim_facts(s: Session, root: ProcessInstance, claim: JlClaim | None) -> dict:
    facts = {"claim_no": root.business_key, "region": root.tenant_id, "started": root.start_time,
             "ended": root.end_time, "state": root.state}
    facts["region_name"] = s.scalar(select(Tenant.name).where(Tenant.id == root.tenant_id)) or root.tenant_id
    if claim is None:
        return facts
    facts.update({k: getattr(claim, k) for k in ("courier_id", "outlet_id", "accident_date", "applicant_kind",
                                                   "filed_on", "late_employer", "status", "decision", "grade",
                                                   "self_care", "payer")})
    facts["courier_name"] = s.scalar(select(JlCourier.name).where(JlCourier.id == claim.courier_id))
    facts["outlet_name"] = s.scalar(select(JlOutlet.name).where(JlOutlet.id == claim.outlet_id))
    amounts = claim.amounts or {}
    facts["amounts"] = {k: amounts[k] for k in AMOUNTS if amounts.get(k) not in (None, "")}
    facts["benefit_items"] = [dict(i, payer=payer) for payer in ("fund", "employer")
                              for i in amounts.get(f"{payer}_items") or [] if isinstance(i, dict)]
    return facts


# The claim record's amounts a case page shows (the rest are the formulas' inputs, in the Cockpit's variables).
AMOUNTS = ("base_wage", "one_off_grant", "monthly_allowance", "care_allowance_amount", "fund_paid_total",
           "fund_paid_on", "employer_paid_total", "employer_paid_on")


def _outcome(root: ProcessInstance, claim: JlClaim | None) -> str:
    if root.state == EXTERNALLY_TERMINATED:
        return "cancelled"
    return OUTCOMES.get(claim.status if claim else "", "closed")


def _final_stage(kb: Kuaibao, s: Session, root_id: str) -> str:
    return _final_stages(kb, s, [root_id])[root_id]


def _final_stages(kb: Kuaibao, s: Session, root_ids: list[str]) -> dict[str, str]:
    """The furthest stage each (closed) tree reached: its staged activities and the processes it ran; two
    queries for all the trees."""
    ha = HistoryActivity
    reached: dict[str, list] = {root: [] for root in root_ids}
    rows = s.execute(select(ha.root_process_instance_id, ha.process_definition_id, ha.process_definition_key,
                            ha.activity_id)
                     .where(ha.root_process_instance_id.in_(root_ids), ha.canceled.is_(False),
                            ha.activity_type.in_(("userTask", "callActivity"))).distinct())
    for root, *activity in rows:
        reached[root].append(activity_stage(kb, s, *activity))
    trees = s.execute(select(func.coalesce(PI.root_process_instance_id, PI.id), PI.definition_key)
                      .where(or_(PI.id.in_(root_ids), PI.root_process_instance_id.in_(root_ids))))
    for root, key in trees:
        if root in reached:
            reached[root].append(PROCESS_STAGE.get(key))
    return {root: furthest(stages) or "injury_determination" for root, stages in reached.items()}


def _statutory_values(s: Session, instances: list[ProcessInstance]) -> dict:
    """The statutory dates (and what meets them) the running instances of the tree hold."""
    names = [name for pair in STATUTORY_DATES for name in pair]
    values: dict = {}
    for instance in instances:
        if instance.state == ACTIVE:
            values.update({name: typed.value for name, typed in load_variables(s, instance.id, names).items()})
    return values


def _diagram(kb: Kuaibao, s: Session, tree: list[ProcessInstance], root: ProcessInstance) -> tuple[str, list[str]]:
    """The instance to draw and what to highlight: the deepest running instance with its open activities, or the
    root with the end events it reached once the case is closed."""
    ha = HistoryActivity
    running = sorted((i for i in tree if i.state == ACTIVE),
                     key=lambda i: (-stage_rank(PROCESS_STAGE.get(i.definition_key)), i.start_time))
    for instance in running:
        open_ids = set(s.scalars(select(ha.activity_id).where(
            ha.process_instance_id == instance.id, ha.end_time.is_(None), ha.activity_type != "callActivity")))
        if open_ids:
            return instance.definition_id, sorted(open_ids)
    if running:
        return running[0].definition_id, []
    ends = s.scalars(select(ha.activity_id).where(ha.process_instance_id == root.id, ha.activity_type.like("%EndEvent"),
                                                  ha.canceled.is_(False)))
    return root.definition_id, sorted(set(ends))


# --- outlet case -----------------------------------------------------------------------------------------------

def outlet_case(kb: Kuaibao, actor: Actor, outlet_id: str, today: date | None = None) -> Case:
    """The outlet's enrolment and contributions, and the claims of its couriers the caller may read."""
    return kb.read(lambda s: _outlet_case(kb, actor, s, outlet_id, today or today_in_jilin()))


def _outlet_instances(kb: Kuaibao, actor: Actor, s: Session, outlet_id: str) -> list[ProcessInstance]:
    """The outlet's readable enrolment (latest first) and contribution instances (newest first)."""
    period_key = and_(PI.definition_key == CONTRIBUTION, PI.business_key.like(f"{outlet_id}-____-__"))
    return list(s.scalars(select(PI).where(or_(and_(PI.definition_key == ENROLMENT, PI.business_key == outlet_id),
                                               period_key), *_readable(kb, actor, s))
                          .order_by((PI.definition_key == ENROLMENT).desc(), PI.start_time.desc())))


def _monthly_list(kb: Kuaibao, actor: Actor, s: Session, enrolment: ProcessInstance | None) -> str | None:
    """The monthly outlet list that started this enrolment, when the caller may follow it."""
    if enrolment is None or enrolment.super_process_instance_id is None:
        return None
    return s.scalar(select(PI.id).where(PI.id == enrolment.super_process_instance_id,
                                        PI.definition_key == "monthly_outlet_list", *_readable(kb, actor, s)))


def _outlet_case(kb: Kuaibao, actor: Actor, s: Session, outlet_id: str, today: date) -> Case:
    outlet = s.get(JlOutlet, outlet_id)
    found = _outlet_instances(kb, actor, s, outlet_id)
    if outlet is None or not found:
        raise NotFound(f"no outlet {outlet_id}")
    enrolments = [i for i in found if i.definition_key == ENROLMENT]
    enrolment = enrolments[0] if enrolments else None
    contributions = [i for i in found if i.definition_key == CONTRIBUTION]
    shown = ([enrolment] if enrolment else []) + contributions
    open_work = holders(kb, s, [i for i in shown if i.state == ACTIVE])
    record = s.scalar(select(JlEnrolment).where(JlEnrolment.outlet_id == outlet_id))
    periods = list(s.scalars(select(JlContributionPeriod).where(JlContributionPeriod.outlet_id == outlet_id)
                             .order_by(JlContributionPeriod.period.desc())))
    stages = _outlet_stages(enrolment, record, contributions, periods)
    current = next((st.code for st in stages if st.state == "current"), None)
    running = [i for i in shown if i.state == ACTIVE]
    drawn = running[0] if running else shown[0]
    ha = HistoryActivity
    highlight = sorted(set(s.scalars(select(ha.activity_id).where(
        ha.process_instance_id == drawn.id, ha.end_time.is_(None) if drawn.state == ACTIVE
        else ha.activity_type.like("%EndEvent")))))
    facts = {"outlet_id": outlet.id, "name": outlet.name, "region": outlet.region, "kind": outlet.kind,
             "status": outlet.status, "status_published_on": outlet.status_published_on,
             "region_name": s.scalar(select(Tenant.name).where(Tenant.id == outlet.region)) or outlet.region,
             "enrolment": record, "periods": periods[:12]}
    case = Case("outlet", outlet_id, facts, stages, current, None, open_work, deadlines(open_work, {}, today),
                timeline(s, shown), drawn.definition_id, highlight, shown,
                monthly_list_id=_monthly_list(kb, actor, s, enrolment), process_names=process_names(s, shown))
    case.claims = _claim_hits(kb, actor, s, "", outlet_id=outlet_id)
    return case


def _outlet_stages(enrolment, record, contributions, periods) -> list[Stage]:
    if enrolment is not None and enrolment.state == ACTIVE:
        enrolled = Stage("enrolment", "current", record.status if record is not None else None)
    elif record is not None and record.status == "enrolled":
        enrolled = Stage("enrolment", "done", "enrolled", record.registered_on)
    elif record is not None:
        enrolled = Stage("enrolment", "ended", "out_of_scope")
    else:
        enrolled = Stage("enrolment", "todo")
    if any(i.state == ACTIVE for i in contributions):
        paid = Stage("contribution", "current")
    elif periods and periods[0].status == "paid":
        paid = Stage("contribution", "done", "paid", periods[0].paid_on)
    elif periods:
        paid = Stage("contribution", "warn", "unpaid")
    else:
        paid = Stage("contribution", "todo")
    return [enrolled, paid] + [Stage(code, "todo") for code in STAGES[2:]]


def recent_monthly_lists(kb: Kuaibao, actor: Actor, limit: int = 10) -> list[ProcessInstance]:
    """The monthly outlet lists the caller may follow, newest first (links to their progress)."""
    return kb.read(lambda s: list(s.scalars(select(PI).where(PI.definition_key == "monthly_outlet_list",
                                                             PI.super_process_instance_id.is_(None),
                                                             *_readable(kb, actor, s))
                                            .order_by(PI.start_time.desc()).limit(limit))))

