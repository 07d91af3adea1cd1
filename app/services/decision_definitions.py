"""Read decision definitions (DMN) and their resources, for the Cockpit and the Modeler: the REST API has no
/decision-definition resource yet, and pages must not query tables themselves."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import DecisionDefinition, Resource
from . import authz, permissions
from .context import Actor, Kuaibao
from .errors import NotFound

DD = DecisionDefinition


def list_decisions(kb: Kuaibao, actor: Actor, latest_only: bool = False) -> list[DecisionDefinition]:
    """The decision definitions the caller may read (READ on DecisionDefinition; every login has it by default),
    by key then version; `latest_only` keeps the newest version of each key and tenant."""
    def work(s: Session):
        readable = authz.policy(kb, actor, s).scope(permissions.DECISION_DEFINITION, permissions.READ)
        stmt = select(DD).where(readable.condition(DD.key))
        if latest_only:
            newest = select(DD.key, DD.tenant_id, func.max(DD.version).label("v")).group_by(DD.key, DD.tenant_id) \
                .subquery()
            stmt = stmt.join(newest, (newest.c.key == DD.key) & (newest.c.v == DD.version)
                             & ((newest.c.tenant_id == DD.tenant_id)
                                | (newest.c.tenant_id.is_(None) & DD.tenant_id.is_(None))))
        return list(s.scalars(stmt.order_by(DD.key, DD.version)))
    return kb.read(work)


def get_decision_xml(kb: Kuaibao, actor: Actor, decision_id: str) -> tuple[DecisionDefinition, bytes]:
    """A decision definition the caller may read and the bytes of the DMN resource it was deployed in (which may
    hold other decisions too); an unreadable one is reported missing."""
    def work(s: Session):
        found = s.get(DD, decision_id)
        if found is None or not authz.policy(kb, actor, s).allows(permissions.DECISION_DEFINITION, permissions.READ,
                                                                  found.key):
            raise NotFound(f"No matching decision definition with id {decision_id}")
        data = s.scalar(select(Resource.data).where(Resource.deployment_id == found.deployment_id,
                                                    Resource.name == found.resource_name))
        return found, data
    return kb.read(work)
