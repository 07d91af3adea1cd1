"""/job: list, count, get, retries (resolves the incident), execute, stacktrace."""
from __future__ import annotations

from flask import Blueprint, Response

from ..services import jobs as svc
from ..services.errors import NotFound
from . import docs
from .errors import RestError
from .http import actor, criteria, kb, load_body, no_content, ok
from .schemas import cached
from .schemas.dto import CountSchema, JobSchema
from .schemas.requests import JobQuerySchema, RetriesSchema

bp = Blueprint("jobs", __name__)


def _query(from_body: bool = False):
    return criteria(svc.JobQuery, cached(JobQuerySchema), from_body)


@bp.get("/job")
@docs.doc("Query jobs (timers, async continuations, handler calls)", query=JobQuerySchema, response=JobSchema,
          many=True)
def list_():
    return ok(cached(JobSchema, many=True).dump(svc.list_jobs(kb(), actor(), _query())))


@bp.post("/job")
@docs.doc("Query jobs (JSON criteria)", body=JobQuerySchema, response=JobSchema, many=True)
def list_post():
    return ok(cached(JobSchema, many=True).dump(svc.list_jobs(kb(), actor(), _query(True))))


@bp.get("/job/count")
@docs.doc("Count jobs", query=JobQuerySchema, response=CountSchema)
def count():
    return ok({"count": svc.count_jobs(kb(), actor(), _query())})


@bp.get("/job/<id>")
@docs.doc("Get a job", response=JobSchema)
def get(id):
    return ok(cached(JobSchema).dump(svc.get_job(kb(), actor(), id)))


@bp.get("/job/<id>/stacktrace")
@docs.doc("The stack trace of the job's last failure", content_type="text/plain")
def stacktrace(id):
    job = svc.get_job(kb(), actor(), id)
    if not job.exception_stacktrace:
        raise RestError(404, "InvalidRequestException", f"Job with id {id} has no exception stacktrace")
    return Response(job.exception_stacktrace, mimetype="text/plain")


@bp.put("/job/<id>/retries")
@docs.doc("Set a job's retries (above 0 resolves its failedJob incident)", body=RetriesSchema, status=204)
def retries(id):
    body = load_body(cached(RetriesSchema))
    try:
        svc.set_retries(kb(), actor(), id, body.get("retries"), body.get("dueDate"))
    except NotFound as e:
        raise RestError(404, "InvalidRequestException", str(e)) from None
    return no_content()


@bp.post("/job/<id>/execute")
@docs.doc("Run a job now", status=204)
def execute(id):
    svc.execute_now(kb(), actor(), id)
    return no_content()
