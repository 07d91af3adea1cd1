"""/process-definition: list, count, get by id or key, xml, start, form variables."""
from __future__ import annotations

from flask import Blueprint

from ..services import definitions as svc
from ..services import instances, statistics, suspension
from ..services.errors import NotFound
from . import docs
from .errors import RestError
from .http import actor, criteria, flag, kb, load_body, no_content, ok
from .process_instances import dump_instance
from .schemas import cached
from .schemas.dto import (
    CountSchema,
    ProcessDefinitionSchema,
    ProcessDefinitionXmlSchema,
    ProcessInstanceWithVariablesSchema,
    VariableValueSchema,
)
from .schemas.requests import DefinitionQuerySchema, StartSchema, SuspensionSchema
from .variables import names_arg, read_map, write_map

bp = Blueprint("process_definitions", __name__)


def _query(from_body: bool = False):
    return criteria(svc.DefinitionQuery, cached(DefinitionQuerySchema), from_body)


@bp.get("/process-definition")
@docs.doc("Query process definitions", query=DefinitionQuerySchema, response=ProcessDefinitionSchema, many=True)
def list_():
    return ok(cached(ProcessDefinitionSchema, many=True).dump(svc.list_definitions(kb(), actor(), _query())))


@bp.get("/process-definition/count")
@docs.doc("Count process definitions", query=DefinitionQuerySchema, response=CountSchema)
def count():
    return ok({"count": svc.count_definitions(kb(), actor(), _query())})


def _ref(id=None, key=None, tenant_id=None) -> dict:
    return {"definition_id": id, "key": key, "tenant_id": tenant_id}


def _get(ref: dict):
    try:
        return svc.get_definition(kb(), actor(), **ref)
    except NotFound as e:
        raise RestError(404, "RestException" if ref["key"] else "InvalidRequestException", str(e)) from None


def _routes(suffix: str, view, methods=("GET",)):
    """Register a view at /process-definition/{id}/…, /key/{key}/… and /key/{key}/tenant-id/{tenant}/…."""
    bp.add_url_rule(f"/process-definition/<id>{suffix}", f"{view.__name__}_by_id", view, methods=list(methods))
    bp.add_url_rule(f"/process-definition/key/<key>{suffix}", f"{view.__name__}_by_key", view, methods=list(methods))
    bp.add_url_rule(f"/process-definition/key/<key>/tenant-id/<tenant_id>{suffix}", f"{view.__name__}_by_tenant",
                    view, methods=list(methods))


@docs.doc("Get a process definition", response=ProcessDefinitionSchema)
def get(id=None, key=None, tenant_id=None):
    return ok(cached(ProcessDefinitionSchema).dump(_get(_ref(id, key, tenant_id))))


@docs.doc("The BPMN 2.0 XML of a process definition", response=ProcessDefinitionXmlSchema)
def xml(id=None, key=None, tenant_id=None):
    _get(_ref(id, key, tenant_id))
    definition, data = svc.get_xml(kb(), actor(), **_ref(id, key, tenant_id))
    return ok({"id": definition.id, "bpmn20Xml": data.decode("utf-8", errors="replace") if data else None})


@docs.doc("Start form variables (field defaults)", response=VariableValueSchema)
def form_variables(id=None, key=None, tenant_id=None):
    _get(_ref(id, key, tenant_id))
    return ok(write_map(svc.start_form_variables(kb(), actor(), **_ref(id, key, tenant_id), names=names_arg())))


@docs.doc("Start a process instance", body=StartSchema, response=ProcessInstanceWithVariablesSchema)
def start(id=None, key=None, tenant_id=None):
    body = load_body(cached(StartSchema))
    variables = read_map(body.get("variables"))
    try:
        started = instances.start(kb(), actor(), instances.StartCommand(
            definition_id=id, key=key, tenant_id=tenant_id, business_key=body.get("businessKey"),
            variables=variables, with_variables_in_return=bool(body.get("withVariablesInReturn"))))
    except NotFound as e:
        raise RestError(404, "RestException" if key else "InvalidRequestException", str(e)) from None
    return ok(dump_started(started))


def dump_started(started) -> dict:
    """ProcessInstanceDto with a self link; `variables` only when they were asked for (Camunda omits the key)."""
    body = dump_instance(started.instance)
    return body if started.variables is None else {**body, "variables": write_map(started.variables)}


@docs.doc("Running instances, failed jobs and incidents per activity (Cockpit's diagram badges)")
def activity_statistics(id=None, key=None, tenant_id=None):
    definition = _get(_ref(id, key, tenant_id))
    return ok(statistics.activity_statistics(kb(), actor(), definition.id, flag("failedJobs"), flag("incidents")))


@docs.doc("Suspend or activate a definition (by key: every version), optionally with its instances",
          body=SuspensionSchema, status=204)
def suspend(id=None, key=None, tenant_id=None):
    body = load_body(cached(SuspensionSchema))
    try:
        suspension.suspend_definitions(kb(), actor(), body.get("suspended"), definition_id=id, key=key,
                                       include_instances=bool(body.get("includeProcessInstances")))
    except NotFound as e:
        raise RestError(404, "RestException" if key else "InvalidRequestException", str(e)) from None
    return no_content()


@bp.get("/process-definition/statistics")
@docs.doc("Running instances, failed jobs and incidents per process definition (Cockpit's dashboard)")
def definition_statistics():
    rows = statistics.definition_statistics(kb(), actor(), flag("failedJobs"), flag("incidents"))
    return ok([{"id": d.id, "instances": n, "failedJobs": failed,
                "incidents": [{"incidentType": k, "incidentCount": c} for k, c in sorted(by_type.items())],
                "definition": cached(ProcessDefinitionSchema).dump(d), "tenantId": d.tenant_id}
               for d, n, failed, by_type in rows])


_routes("", get)
_routes("/statistics", activity_statistics)
_routes("/xml", xml)
_routes("/form-variables", form_variables)
_routes("/start", start, methods=("POST",))
_routes("/submit-form", start, methods=("POST",))
_routes("/suspended", suspend, methods=("PUT",))
