"""/deployment: create (multipart), list, count, get, resources, delete."""
from __future__ import annotations

from flask import Blueprint, Response, request

from ..services import deployments as svc
from . import docs
from .errors import RestError
from .http import actor, criteria, flag, kb, link, no_content, ok
from .schemas import cached
from .schemas.dto import CountSchema, DeploymentSchema, DeploymentWithDefinitionsSchema, ResourceSchema
from .schemas.requests import DeploymentQuerySchema

bp = Blueprint("deployments", __name__)
_TEXT_PARTS = {"deployment-name", "enable-duplicate-filtering", "deploy-changed-only", "deployment-source",
               "tenant-id", "deployment-activation-time"}


def _bool_part(name: str) -> bool:
    return (request.form.get(name) or "false").strip().lower() == "true"


def dump_deployment(d, schema=DeploymentSchema) -> dict:
    return cached(schema).dump({**_attrs(d), "links": [link(f"/deployment/{d.id}")]})


def _attrs(d) -> dict:
    return {"id": d.id, "name": d.name, "source": d.source, "deployment_time": d.deployment_time,
            "tenant_id": d.tenant_id}


@bp.post("/deployment/create")
@docs.doc("Deploy BPMN and DMN resources (multipart/form-data)", response=DeploymentWithDefinitionsSchema)
def create():
    if not request.mimetype.startswith("multipart/"):
        raise RestError(400, "InvalidRequestException", "Request must be multipart/form-data")
    resources = {}
    for part_name, storage in request.files.items(multi=True):
        if not storage.filename:
            raise RestError(400, "InvalidRequestException",
                            f"No file name found in the deployment resource described by form parameter '{part_name}'.")
        resources[storage.filename] = storage.read()
    for part_name in request.form:
        if part_name not in _TEXT_PARTS:
            raise RestError(400, "InvalidRequestException",
                            f"No file name found in the deployment resource described by form parameter '{part_name}'.")
    result = svc.deploy(kb(), actor(), svc.DeployCommand(
        resources=resources, name=request.form.get("deployment-name") or None,
        source=request.form.get("deployment-source") or None, tenant_id=request.form.get("tenant-id") or None,
        duplicate_filtering=_bool_part("enable-duplicate-filtering"), changed_only=_bool_part("deploy-changed-only")))
    body = {**_attrs(result.deployment), "links": [link(f"/deployment/{result.deployment.id}")],
            "deployedProcessDefinitions": {p.id: p for p in result.processes} or None,
            "deployedDecisionDefinitions": {d.id: d for d in result.decisions} or None}
    return ok(cached(DeploymentWithDefinitionsSchema).dump(body))


def _query(from_body: bool = False):
    return criteria(svc.DeploymentQuery, cached(DeploymentQuerySchema), from_body)


@bp.get("/deployment")
@docs.doc("Query deployments", query=DeploymentQuerySchema, response=DeploymentSchema, many=True)
def list_():
    return ok([dump_deployment(d) for d in svc.list_deployments(kb(), actor(), _query())])


@bp.get("/deployment/count")
@docs.doc("Count deployments", query=DeploymentQuerySchema, response=CountSchema)
def count():
    return ok({"count": svc.count_deployments(kb(), actor(), _query())})


@bp.get("/deployment/<id>")
@docs.doc("Get a deployment", response=DeploymentSchema)
def get(id):
    return ok(dump_deployment(svc.get_deployment(kb(), actor(), id)))


@bp.get("/deployment/<id>/resources")
@docs.doc("List a deployment's resources", response=ResourceSchema, many=True)
def resources(id):
    return ok(cached(ResourceSchema, many=True).dump(svc.list_resources(kb(), actor(), id)))


@bp.get("/deployment/<id>/resources/<resource_id>")
@docs.doc("Get one resource's metadata", response=ResourceSchema)
def resource(id, resource_id):
    return ok(cached(ResourceSchema).dump(svc.get_resource(kb(), actor(), id, resource_id)))


_MIME = {".bpmn": "application/xml", ".xml": "application/xml", ".dmn": "application/xml",
         ".png": "image/png", ".svg": "image/svg+xml", ".json": "application/json", ".html": "text/html"}


@bp.get("/deployment/<id>/resources/<resource_id>/data")
@docs.doc("Download a resource's bytes", content_type="application/octet-stream")
def resource_data(id, resource_id):
    r = svc.get_resource(kb(), actor(), id, resource_id)
    mime = next((m for ext, m in _MIME.items() if r.name.lower().endswith(ext)), "application/octet-stream")
    return Response(r.data, mimetype=mime,
                    headers={"Content-Disposition": f'attachment; filename="{r.name.rsplit("/", 1)[-1]}"'})


@bp.delete("/deployment/<id>")
@docs.doc("Delete a deployment (cascade=true also deletes its instances)", status=204)
def delete(id):
    svc.delete_deployment(kb(), actor(), id, flag("cascade"))
    return no_content()

