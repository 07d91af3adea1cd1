"""/incident: what needs a person (failed jobs, external tasks out of retries), as Cockpit lists it."""
from __future__ import annotations

from flask import Blueprint

from ..services import incidents as svc
from . import docs
from .http import actor, criteria, kb, no_content, ok
from .schemas import cached
from .schemas.dto import CountSchema
from .schemas.external import IncidentQuerySchema, IncidentSchema

bp = Blueprint("incidents", __name__)


def _query():
    return criteria(svc.IncidentQuery, cached(IncidentQuerySchema))


@bp.get("/incident")
@docs.doc("Query open incidents", query=IncidentQuerySchema, response=IncidentSchema, many=True)
def list_():
    return ok(cached(IncidentSchema, many=True).dump(svc.list_incidents(kb(), actor(), _query())))


@bp.get("/incident/count")
@docs.doc("Count open incidents", query=IncidentQuerySchema, response=CountSchema)
def count():
    return ok({"count": svc.count_incidents(kb(), actor(), _query())})


@bp.get("/incident/<id>")
@docs.doc("Get an incident", response=IncidentSchema)
def get(id):
    return ok(cached(IncidentSchema).dump(svc.get_incident(kb(), actor(), id)))


@bp.delete("/incident/<id>")
@docs.doc("Resolve a custom incident (failed jobs and external tasks: set their retries)", status=204)
def resolve(id):
    svc.resolve_incident(kb(), actor(), id)
    return no_content()
