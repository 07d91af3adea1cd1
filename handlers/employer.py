"""Who is the employer of record for an outlet (E2), and which staff group acts for it."""
from __future__ import annotations

from dataclasses import dataclass

from .records import Outlet, Records


@dataclass(frozen=True)
class Employer:
    """The outlet itself or its parent enterprise, with the candidate group of its staff."""

    id: str
    kind: str
    name: str

    @property
    def group(self) -> str:
        """`outlet-<id>` or `enterprise-<id>`, as the diagrams' `${employer_group}` expects."""
        return f"{self.kind}-{self.id}"


def outlet_or_fail(records: Records, outlet_id: str) -> Outlet:
    """The outlet; ValueError when the records do not know it."""
    outlet = records.get_outlet(outlet_id)
    if outlet is None:
        raise ValueError(f"variable 'outlet_id': no outlet {outlet_id!r} in the records")
    return outlet


def employer_of(records: Records, outlet: Outlet) -> Employer:
    """E2: a licensed outlet with employer status registers itself; otherwise its licensed parent enterprise does
    and bears the employer's liability."""
    if outlet.kind == "licensed" and outlet.has_employer_status:
        return Employer(outlet.id, "outlet", outlet.name)
    if not outlet.parent_enterprise_id:
        raise ValueError(f"outlet {outlet.id} ({outlet.kind}, employer status: {outlet.has_employer_status}) has no "
                         "parent enterprise, so nobody can register it (E2): record its parent_enterprise_id")
    enterprise = records.get_enterprise(outlet.parent_enterprise_id)
    if enterprise is None:
        raise ValueError(f"outlet {outlet.id}: parent enterprise {outlet.parent_enterprise_id!r} is not in the records")
    return Employer(enterprise.id, "enterprise", enterprise.name)


def employer_group_for(records: Records, outlet_id: str) -> str:
    """The staff group answering for the outlet: the employer of record once enrolled, else E2 on its facts; an
    outlet the records cannot place (unknown, or no parent) answers for itself."""
    enrolment = records.enrolment_for(outlet_id)
    if enrolment is not None and enrolment.employer_id and enrolment.employer_kind:
        return f"{enrolment.employer_kind}-{enrolment.employer_id}"
    outlet = records.get_outlet(outlet_id)
    if outlet is None:
        return f"outlet-{outlet_id}"
    try:
        return employer_of(records, outlet).group
    except ValueError:
        return f"outlet-{outlet_id}"
