"""Enrolment (参保登记): the monthly outlet list (E3), eligibility facts (E1), the employer of record (E2),
registration, the courier roster and its changes (E4), and publishing the outlet's insurance status."""
from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any, Mapping

from .employer import employer_group_for, employer_of, outlet_or_fail
from .inputs import Call, choice, day, flag, json_list, month, records_of, setting, table, text, whole
from .records import EMPLOYER_KINDS, OUTLET_KINDS, Courier, Enrolment, Outlet, Records, RosterPeriod

FACTS = ("has_employer_status", "flexible_staffing", "uses_labour_dispatch", "insured_before_notice")
CHANGES = ("join", "leave")
IN_PROGRESS_OR_DONE = ("applying", "escalated", "enrolled")


def register_outlet_list(call: Call) -> dict[str, Any]:
    """E3: record the postal bureau's monthly list and name the outlets to enrol. Enrolled outlets need not, and
    outlets whose enrolment is under way (applying, or escalated for not applying) are not enrolled twice."""
    v, records = call.variables, records_of(call)
    region = text(v, "region")
    month(v, "month")
    start: list[str] = []
    skipped: list[str] = []
    for i, entry in enumerate(json_list(v, "outlets_json")):
        try:
            outlet = _listed_outlet(records, entry, region)
        except ValueError as e:
            raise ValueError(f"variable 'outlets_json', entry {i}: {e}") from None
        if outlet.id in start or outlet.id in skipped:
            continue
        if outlet.status in IN_PROGRESS_OR_DONE:
            skipped.append(outlet.id)
            continue
        records.upsert_outlet(replace(outlet, status="listed"))
        start.append(outlet.id)
    return {"outlet_ids": start, "skipped_outlet_ids": skipped}


def _listed_outlet(records: Records, entry: Any, region: str) -> Outlet:
    """One list entry: an id of a known outlet, or an object with the outlet's facts (new or updated)."""
    if isinstance(entry, str):
        outlet = records.get_outlet(entry.strip())
        if outlet is None:
            raise ValueError(f"unknown outlet {entry!r}: list it as an object with its facts")
    elif isinstance(entry, Mapping):
        outlet = _outlet_from(records, entry, region)
    else:
        raise ValueError(f"expected an outlet id or object, got {entry!r}")
    if outlet.region != region:
        raise ValueError(f"outlet {outlet.id} is in region {outlet.region!r}, not {region!r}")
    return outlet


def _outlet_from(records: Records, entry: Mapping[str, Any], region: str) -> Outlet:
    """The outlet described by a list object; absent facts keep their recorded values."""
    outlet_id = text(entry, "id")
    known = records.get_outlet(outlet_id)
    fields: dict[str, Any] = asdict(known) if known else {"id": outlet_id, "region": region}
    if entry.get("name") is not None or known is None:
        fields["name"] = text(entry, "name")
    if entry.get("region") is not None:
        fields["region"] = text(entry, "region")
    if entry.get("kind") is not None or known is None:
        fields["kind"] = choice(entry, "kind", OUTLET_KINDS)
    for name in FACTS:
        if entry.get(name) is not None or known is None:
            fields[name] = flag(entry, name)
    for name in ("industry_class", "floating_grade"):
        if entry.get(name) is not None:
            fields[name] = whole(entry, name)
    if entry.get("parent_enterprise_id") is not None:
        parent = text(entry, "parent_enterprise_id")
        if records.get_enterprise(parent) is None:
            raise ValueError(f"parent enterprise {parent!r} of outlet {outlet_id} is not in the records")
        fields["parent_enterprise_id"] = parent
    return Outlet(**fields)


def load_outlet(call: Call) -> dict[str, Any]:
    """The outlet's facts for the eligibility and rate decisions; with a `period`, also the wage year (C2)."""
    v, records = call.variables, records_of(call)
    outlet = outlet_or_fail(records, text(v, "outlet_id"))
    if v.get("region") not in (None, "") and text(v, "region") != outlet.region:
        raise ValueError(f"variable 'region' is {v['region']!r} but outlet {outlet.id} is in {outlet.region!r}")
    out: dict[str, Any] = {
        "outlet_name": outlet.name, "outlet_kind": outlet.kind, "parent_enterprise_id": outlet.parent_enterprise_id,
        "industry_class": outlet.industry_class, "floating_grade": outlet.floating_grade,
        "employer_group": employer_group_for(records, outlet.id)}
    out.update({name: getattr(outlet, name) for name in FACTS})
    if v.get("period") not in (None, ""):
        period = month(v, "period")
        if outlet.industry_class is None or outlet.floating_grade is None:
            raise ValueError(f"outlet {outlet.id} has no industry_class or floating_grade: the SSB must record them "
                             "before a contribution can be assessed (C1)")
        out["previous_year"] = int(period.split("-")[0]) - 1
    return out


def record_out_of_scope(call: Call) -> dict[str, Any]:
    """E1: an outlet outside the priority channel ends with its reason recorded, not silently."""
    v, records = call.variables, records_of(call)
    outlet = outlet_or_fail(records, text(v, "outlet_id"))
    eligibility = table(v, "eligibility", ("eligible",))
    if flag(eligibility, "eligible"):
        raise ValueError("variable 'eligibility' says the outlet is eligible: only an outlet out of scope is "
                         "recorded as such (E1)")
    reason = str(eligibility.get("reason") or "").strip()
    if not reason:
        raise ValueError("variable 'eligibility' has no reason: an outlet out of scope is recorded with its reason")
    records.record_enrolment(Enrolment(outlet.id, "out_of_scope", reason=reason,
                                       process_instance_id=call.process_instance_id))
    records.set_outlet_status(outlet.id, "out_of_scope")
    return {"out_of_scope_reason": reason}


def determine_employer(call: Call) -> dict[str, Any]:
    """E2: the outlet or its parent enterprise registers, and is the employer of record; the outlet's enrolment
    is now under way (a later monthly list does not start a second one)."""
    records = records_of(call)
    outlet = outlet_or_fail(records, text(call.variables, "outlet_id"))
    employer = employer_of(records, outlet)
    if outlet.status not in ("escalated", "enrolled"):
        records.set_outlet_status(outlet.id, "applying")
    return {"employer_id": employer.id, "employer_kind": employer.kind, "employer_name": employer.name,
            "employer_group": employer.group}


def send_enrolment_reminder(call: Call) -> dict[str, Any]:
    """E3: note that the employer was reminded to apply (the task list shows it the open application)."""
    v, records = call.variables, records_of(call)
    outlet_or_fail(records, text(v, "outlet_id"))
    sent = whole(v, "reminders_sent") if v.get("reminders_sent") is not None else 0
    return {"reminded_on": records.today().isoformat(), "reminders_sent": sent + 1}


def escalate_to_postal(call: Call) -> dict[str, Any]:
    """E3: an outlet that has not applied in time is handed to the postal bureau for supervision."""
    records = records_of(call)
    outlet = outlet_or_fail(records, text(call.variables, "outlet_id"))
    if outlet.status != "enrolled":
        records.set_outlet_status(outlet.id, "escalated")
    return {"escalated_on": records.today().isoformat()}


def register_enrolment(call: Call) -> dict[str, Any]:
    """The SSB approved the application: record the registration and its employer of record."""
    v, records = call.variables, records_of(call)
    outlet = outlet_or_fail(records, text(v, "outlet_id"))
    if not flag(v, "approved"):
        raise ValueError("variable 'approved' is false: a refused application must not be registered (route it "
                         "back to 提交参保申请)")
    today = records.today()
    records.record_enrolment(Enrolment(
        outlet.id, "enrolled", employer_id=text(v, "employer_id"), employer_kind=choice(v, "employer_kind",
                                                                                         EMPLOYER_KINDS),
        registration_no=text(v, "registration_no"), registered_on=today,
        process_instance_id=call.process_instance_id))
    records.set_outlet_status(outlet.id, "enrolled")
    return {"registered_on": today.isoformat(), "enrolment_status": "enrolled"}


def publish_insurance_status(call: Call) -> dict[str, Any]:
    """The postal bureau publishes the outlet's insurance status (postal credit system)."""
    records = records_of(call)
    outlet = outlet_or_fail(records, text(call.variables, "outlet_id"))
    today = records.today()
    records.set_outlet_status(outlet.id, outlet.status, published_on=today)
    return {"status_published_on": today.isoformat(), "insurance_status": outlet.status}


def file_roster(call: Call) -> dict[str, Any]:
    """E4: the employer files its couriers; each is insured from its start date once filed (today)."""
    v, records = call.variables, records_of(call)
    outlet = outlet_or_fail(records, text(v, "outlet_id"))
    today = records.today()
    entries = json_list(v, "roster_json")
    filed: list[str] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        try:
            if not isinstance(entry, Mapping):
                raise ValueError(f"expected an object {{courier_id, name, id_number, start_date}}, got {entry!r}")
            courier = Courier(text(entry, "courier_id"), text(entry, "name"), text(entry, "id_number"))
            start = day(entry, "start_date")
        except ValueError as e:
            raise ValueError(f"variable 'roster_json', entry {i}: {e}") from None
        if courier.id in seen:
            raise ValueError(f"variable 'roster_json': courier {courier.id} is listed twice")
        seen.add(courier.id)
        records.upsert_courier(courier)
        if records.open_roster_period(courier.id, outlet.id) is None:
            records.add_roster_period(RosterPeriod(courier.id, outlet.id, start_date=start, filed_on=today))
            filed.append(courier.id)
    return {"filed_courier_ids": filed, "roster_filed_on": today.isoformat(),
            "roster_headcount": records.insured_headcount(outlet.id, today)}


def check_personnel_change(call: Call) -> dict[str, Any]:
    """E4: refuse an impossible change before the SSB sees it, and flag a join filed after `roster_filing_days`."""
    v, records = call.variables, records_of(call)
    outlet = outlet_or_fail(records, text(v, "outlet_id"))
    courier_id, change, change_date = text(v, "courier_id"), choice(v, "change", CHANGES), day(v, "change_date")
    current = records.open_roster_period(courier_id, outlet.id)
    if change == "leave":
        if current is None:
            raise ValueError(f"variable 'courier_id': courier {courier_id} is not on the roster of outlet {outlet.id}")
        if change_date < current.start_date:
            raise ValueError(f"variable 'change_date': {change_date} is before the courier joined "
                             f"({current.start_date})")
        return {"filed_late": False, "late_days": 0, "on_roster": True}
    if current is not None:
        raise ValueError(f"variable 'courier_id': courier {courier_id} is already on the roster of outlet {outlet.id} "
                         f"since {current.start_date}")
    for name in ("courier_name", "id_number"):  # a join files who the courier is
        text(v, name)
    late = max(0, (records.today() - change_date).days - setting(v, "roster_filing_days", whole))
    return {"filed_late": late > 0, "late_days": late, "on_roster": False}


def apply_personnel_change(call: Call) -> dict[str, Any]:
    """E4: the SSB files the change: a join opens a roster period from change_date, a leave ends it then."""
    v, records = call.variables, records_of(call)
    outlet = outlet_or_fail(records, text(v, "outlet_id"))
    courier_id, change, change_date = text(v, "courier_id"), choice(v, "change", CHANGES), day(v, "change_date")
    today = records.today()
    if change == "join":
        records.upsert_courier(Courier(courier_id, text(v, "courier_name"), text(v, "id_number")))
        records.add_roster_period(RosterPeriod(courier_id, outlet.id, start_date=change_date, filed_on=today))
    else:
        try:
            records.end_roster_period(courier_id, outlet.id, change_date)
        except LookupError as e:
            raise ValueError(f"variable 'courier_id': {e}") from None
    return {"applied_on": today.isoformat()}
