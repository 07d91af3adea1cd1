"""/external-task: fetch and lock (long polling), complete, failure, BPMN error, locks, retries, queries."""
from __future__ import annotations

from flask import Blueprint, Response

from ..services import external_queries as queries
from ..services import external_tasks as svc
from ..services.external_fetch import FetchCommand, FetchTopic
from . import docs
from .http import actor, body_sorting, criteria, flag, kb, load_body, no_content, ok
from .schemas import cached
from .schemas.dto import CountSchema
from .schemas.external import (
    CompleteExternalTaskSchema,
    ExtendLockSchema,
    ExternalTaskBpmnErrorSchema,
    ExternalTaskFailureSchema,
    ExternalTaskPrioritySchema,
    ExternalTaskQuerySchema,
    ExternalTaskRetriesSchema,
    ExternalTaskSchema,
    FetchExternalTasksSchema,
    LockedExternalTaskSchema,
    LockExternalTaskSchema,
)
from .variables import read_map

bp = Blueprint("external_tasks", __name__)


@bp.post("/external-task/fetchAndLock")
@docs.doc("Fetch and lock external tasks; with asyncResponseTimeout, wait for work (long polling)",
          body=FetchExternalTasksSchema, response=LockedExternalTaskSchema, many=True)
def fetch_and_lock():
    body = load_body(cached(FetchExternalTasksSchema))
    topics = [FetchTopic(**{k: v for k, v in t.items() if v is not None}) for t in body.get("topics") or []]
    cmd = FetchCommand(worker_id=body.get("workerId"), max_tasks=body.get("maxTasks") or 0, topics=topics,
                           use_priority=bool(body.get("usePriority")), sorting=body_sorting(body),
                           async_response_timeout=body.get("asyncResponseTimeout"))
    return ok(cached(LockedExternalTaskSchema, many=True).dump(svc.fetch_and_lock(kb(), actor(), cmd)))


@bp.post("/external-task/<id>/complete")
@docs.doc("Complete an external task (local variables land in process scope)", body=CompleteExternalTaskSchema,
          status=204)
def complete(id):
    body = load_body(cached(CompleteExternalTaskSchema))
    svc.complete(kb(), actor(), id, body.get("workerId"), read_map(body.get("variables")),
                 read_map(body.get("localVariables")))
    return no_content()


@bp.post("/external-task/<id>/failure")
@docs.doc("Report a failure: retries left, retry timeout; no retries left raises an incident",
          body=ExternalTaskFailureSchema, status=204)
def failure(id):
    body = load_body(cached(ExternalTaskFailureSchema))
    svc.failure(kb(), actor(), id, body.get("workerId"), body.get("errorMessage"), body.get("errorDetails"),
                body.get("retries"), body.get("retryTimeout"), read_map(body.get("variables")),
                read_map(body.get("localVariables")))
    return no_content()


@bp.post("/external-task/<id>/bpmnError")
@docs.doc("Report a BPMN error; an error boundary event catches it, else an incident is raised",
          body=ExternalTaskBpmnErrorSchema, status=204)
def bpmn_error(id):
    body = load_body(cached(ExternalTaskBpmnErrorSchema))
    svc.bpmn_error(kb(), actor(), id, body.get("workerId"), body.get("errorCode"), body.get("errorMessage"),
                   read_map(body.get("variables")))
    return no_content()


@bp.post("/external-task/<id>/extendLock")
@docs.doc("Extend the worker's unexpired lock", body=ExtendLockSchema, status=204)
def extend_lock(id):
    body = load_body(cached(ExtendLockSchema))
    svc.extend_lock(kb(), actor(), id, body.get("workerId"), body.get("newDuration"))
    return no_content()


@bp.post("/external-task/<id>/unlock")
@docs.doc("Release the lock (any worker may fetch the task again)", status=204)
def unlock(id):
    svc.unlock(kb(), actor(), id)
    return no_content()


@bp.post("/external-task/<id>/lock")
@docs.doc("Lock one external task for a worker", body=LockExternalTaskSchema, status=204)
def lock(id):
    body = load_body(cached(LockExternalTaskSchema))
    svc.lock(kb(), actor(), id, body.get("workerId"), body.get("lockDuration"))
    return no_content()


@bp.put("/external-task/<id>/retries")
@docs.doc("Set retries (> 0 resolves the task's incident)", body=ExternalTaskRetriesSchema, status=204)
def set_retries(id):
    svc.set_retries(kb(), actor(), id, load_body(cached(ExternalTaskRetriesSchema)).get("retries"))
    return no_content()


@bp.put("/external-task/<id>/priority")
@docs.doc("Set the priority", body=ExternalTaskPrioritySchema, status=204)
def set_priority(id):
    svc.set_priority(kb(), actor(), id, load_body(cached(ExternalTaskPrioritySchema)).get("priority"))
    return no_content()


def _query(from_body: bool):
    return criteria(queries.ExternalTaskQuery, cached(ExternalTaskQuerySchema), from_body)


@bp.get("/external-task")
@docs.doc("Query external tasks", query=ExternalTaskQuerySchema, response=ExternalTaskSchema, many=True)
def list_():
    return ok(cached(ExternalTaskSchema, many=True).dump(queries.list_external_tasks(kb(), actor(), _query(False))))


@bp.post("/external-task")
@docs.doc("Query external tasks (JSON criteria)", body=ExternalTaskQuerySchema, response=ExternalTaskSchema,
          many=True)
def list_post():
    return ok(cached(ExternalTaskSchema, many=True).dump(queries.list_external_tasks(kb(), actor(), _query(True))))


@bp.get("/external-task/count")
@docs.doc("Count external tasks", query=ExternalTaskQuerySchema, response=CountSchema)
def count():
    return ok({"count": queries.count_external_tasks(kb(), actor(), _query(False))})


@bp.post("/external-task/count")
@docs.doc("Count external tasks (JSON criteria)", body=ExternalTaskQuerySchema, response=CountSchema)
def count_post():
    return ok({"count": queries.count_external_tasks(kb(), actor(), _query(True))})


@bp.get("/external-task/topic-names")
@docs.doc("Topic names of existing external tasks")
def topic_names():
    return ok(queries.topic_names(kb(), actor(), flag("withLockedTasks"), flag("withUnlockedTasks"),
                                  flag("withRetriesLeft")))


@bp.get("/external-task/<id>")
@docs.doc("Get an external task", response=ExternalTaskSchema)
def get(id):
    return ok(cached(ExternalTaskSchema).dump(queries.get_external_task(kb(), actor(), id)))


@bp.get("/external-task/<id>/errorDetails")
@docs.doc("The error details of the last failure", content_type="text/plain")
def error_details(id):
    return Response(queries.error_details(kb(), actor(), id) or "", mimetype="text/plain")
