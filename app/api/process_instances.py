"""/process-instance: list, count, get, delete, variables (ended instances are in /history/process-instance)."""
from __future__ import annotations

from flask import Blueprint

from ..services import instances as svc
from ..services import suspension
from ..services import variables as vars_svc
from ..services.errors import NotFound
from . import docs
from .errors import RestError
from .http import actor, criteria, flag, kb, link, load_body, no_content, ok
from .schemas import cached
from .schemas.dto import CountSchema, ProcessInstanceSchema, VariableValueSchema
from .schemas.requests import InstanceQuerySchema, PatchVariablesSchema, SuspensionSchema, VariableValueInSchema
from .variables import names_arg, read_map, write_map

bp = Blueprint("process_instances", __name__)


def dump_instance(i, with_links: bool = True) -> dict:
    return cached(ProcessInstanceSchema).dump({
        "id": i.id, "definition_id": i.definition_id, "definition_key": i.definition_key,
        "business_key": i.business_key, "ended": i.state != "ACTIVE", "suspended": i.suspended,
        "tenant_id": i.tenant_id, "links": [link(f"/process-instance/{i.id}")] if with_links else []})


def _query(from_body: bool = False):
    return criteria(svc.InstanceQuery, cached(InstanceQuerySchema), from_body)


@bp.get("/process-instance")
@docs.doc("Query running process instances", query=InstanceQuerySchema, response=ProcessInstanceSchema, many=True)
def list_():
    return ok([dump_instance(i, False) for i in svc.list_instances(kb(), actor(), _query(False))])


@bp.post("/process-instance")
@docs.doc("Query running process instances (JSON criteria)", body=InstanceQuerySchema, response=ProcessInstanceSchema,
          many=True)
def list_post():
    return ok([dump_instance(i, False) for i in svc.list_instances(kb(), actor(), _query(True))])


@bp.get("/process-instance/count")
@docs.doc("Count running process instances", query=InstanceQuerySchema, response=CountSchema)
def count():
    return ok({"count": svc.count_instances(kb(), actor(), _query(False))})


@bp.post("/process-instance/count")
@docs.doc("Count running process instances (JSON criteria)", body=InstanceQuerySchema, response=CountSchema)
def count_post():
    return ok({"count": svc.count_instances(kb(), actor(), _query(True))})


@bp.get("/process-instance/<id>")
@docs.doc("Get a running process instance", response=ProcessInstanceSchema)
def get(id):
    return ok(dump_instance(svc.get_instance(kb(), actor(), id)))


@bp.delete("/process-instance/<id>")
@docs.doc("Cancel a running process instance", status=204)
def delete(id):
    svc.delete_instance(kb(), actor(), id, fail_if_not_exists=flag("failIfNotExists", True))
    return no_content()


@bp.get("/process-instance/<id>/variables")
@docs.doc("All variables of a running instance", response=VariableValueSchema)
def variables(id):
    try:
        return ok(write_map(vars_svc.get_variables(kb(), actor(), id, names_arg())))
    except NotFound as e:
        raise RestError(500, "ProcessEngineException", f"process instance {id} doesn't exist") from e


@bp.post("/process-instance/<id>/variables")
@docs.doc("Set and delete variables in one transaction", body=PatchVariablesSchema, status=204)
def modify_variables(id):
    body = load_body(cached(PatchVariablesSchema))
    _modify(id, read_map(body.get("modifications")), body.get("deletions") or [])
    return no_content()


@bp.get("/process-instance/<id>/variables/<name>")
@docs.doc("One variable of a running instance", response=VariableValueSchema)
def variable(id, name):
    try:
        value = vars_svc.get_variable(kb(), actor(), id, name)
    except NotFound as e:
        raise RestError(404, "InvalidRequestException", str(e)) from e
    return ok(write_map({name: value})[name])


@bp.put("/process-instance/<id>/variables/<name>")
@docs.doc("Set one variable", body=VariableValueInSchema, status=204)
def put_variable(id, name):
    _modify(id, read_map({name: load_body(cached(VariableValueInSchema))}), [])
    return no_content()


@bp.delete("/process-instance/<id>/variables/<name>")
@docs.doc("Delete one variable", status=204)
def delete_variable(id, name):
    _modify(id, {}, [name])
    return no_content()


def _modify(id, modifications, deletions):
    try:
        vars_svc.modify_variables(kb(), actor(), id, modifications, deletions)
    except NotFound as e:
        raise RestError(500, "ProcessEngineException", f"Cannot modify variables for process instance {id}: {e}") \
            from e


@bp.put("/process-instance/<id>/suspended")
@docs.doc("Suspend or activate a process instance (and the instances it called)", body=SuspensionSchema, status=204)
def suspend(id):
    suspension.suspend_instance(kb(), actor(), id, load_body(cached(SuspensionSchema)).get("suspended"))
    return no_content()
