"""/task: query (GET and POST), count, get, claim, unclaim, assignee, complete, form variables, variables."""
from __future__ import annotations

from flask import Blueprint

from ..services import tasks as svc
from ..services.task_queries import TaskQuery
from . import docs
from .errors import RestError
from .http import (
    actor,
    criteria,
    kb,
    load_body,
    no_content,
    ok,
)
from .schemas import cached
from .schemas.dto import CountSchema, IdentityLinkSchema, TaskSchema, VariableValueSchema
from .schemas.requests import CompleteSchema, PatchVariablesSchema, TaskQuerySchema, UserIdSchema, VariableValueInSchema
from .variables import names_arg, read_map, write_map

bp = Blueprint("tasks", __name__)


def _query(from_body: bool = False):
    return criteria(TaskQuery, cached(TaskQuerySchema), from_body)


@bp.get("/task")
@docs.doc("Query open tasks (work queues)", query=TaskQuerySchema, response=TaskSchema, many=True)
def list_():
    return ok(cached(TaskSchema, many=True).dump(svc.list_tasks(kb(), actor(), _query(False))))


@bp.post("/task")
@docs.doc("Query open tasks (JSON criteria, sorting list)", body=TaskQuerySchema, response=TaskSchema, many=True)
def list_post():
    return ok(cached(TaskSchema, many=True).dump(svc.list_tasks(kb(), actor(), _query(True))))


@bp.get("/task/count")
@docs.doc("Count open tasks", query=TaskQuerySchema, response=CountSchema)
def count():
    return ok({"count": svc.count_tasks(kb(), actor(), _query(False))})


@bp.post("/task/count")
@docs.doc("Count open tasks (JSON criteria)", body=TaskQuerySchema, response=CountSchema)
def count_post():
    return ok({"count": svc.count_tasks(kb(), actor(), _query(True))})


@bp.get("/task/<id>")
@docs.doc("Get an open task", response=TaskSchema)
def get(id):
    return ok(cached(TaskSchema).dump(svc.get_task(kb(), actor(), id)))


def _engine_not_found(id: str):
    return RestError(500, "NullValueException", f"Cannot find task with id {id}: task is null")


@bp.post("/task/<id>/claim")
@docs.doc("Claim a task for a user (one winner among racing claimants)", body=UserIdSchema, status=204)
def claim(id):
    try:
        svc.claim(kb(), actor(), id, load_body(cached(UserIdSchema)).get("userId"))
    except svc.TaskMissing:
        raise _engine_not_found(id) from None
    return no_content()


@bp.post("/task/<id>/unclaim")
@docs.doc("Give a task back to its candidates", status=204)
def unclaim(id):
    try:
        svc.set_assignee(kb(), actor(), id, None)
    except svc.TaskMissing:
        raise _engine_not_found(id) from None
    return no_content()


@bp.post("/task/<id>/assignee")
@docs.doc("Set or clear a task's assignee", body=UserIdSchema, status=204)
def assignee(id):
    try:
        svc.set_assignee(kb(), actor(), id, load_body(cached(UserIdSchema)).get("userId"))
    except svc.TaskMissing:
        raise _engine_not_found(id) from None
    return no_content()


@bp.post("/task/<id>/complete")
@docs.doc("Complete a task with variables", body=CompleteSchema, response=VariableValueSchema)
def complete(id):
    body = load_body(cached(CompleteSchema))
    variables = read_map(body.get("variables"))
    try:
        result = svc.complete(kb(), actor(), id, variables, bool(body.get("withVariablesInReturn")))
    except svc.TaskMissing as e:
        raise RestError(500, "RestException", f"Cannot complete task {id}: {e}") from None
    return ok(write_map(result)) if result is not None else no_content()


@bp.post("/task/<id>/submit-form")
@docs.doc("Submit a task form (complete with variables)", body=CompleteSchema, response=VariableValueSchema)
def submit_form(id):
    return complete(id)


@bp.get("/task/<id>/form-variables")
@docs.doc("Form field values or defaults, plus the variables the task can see", response=VariableValueSchema)
def form_variables(id):
    try:
        return ok(write_map(svc.form_variables(kb(), actor(), id, names_arg())))
    except svc.TaskMissing as e:
        raise RestError(400, "BadUserRequestException", f"Cannot find task with id {id}: {e}") from None


@bp.get("/task/<id>/form")
@docs.doc("The task's form key")
def form(id):
    task = svc.get_task(kb(), actor(), id)
    return ok({"key": task.form_key, "camundaFormRef": None, "contextPath": None})


@bp.get("/task/<id>/identity-links")
@docs.doc("Candidate users and groups of a task", response=IdentityLinkSchema, many=True)
def identity_links(id):
    links = cached(IdentityLinkSchema, many=True).dump(svc.candidates(kb(), actor(), id))
    task = svc.get_task(kb(), actor(), id)
    if task.assignee:
        links.append({"userId": task.assignee, "groupId": None, "type": "assignee"})
    return ok(links)


@bp.get("/task/<id>/variables")
@docs.doc("Variables visible from the task", response=VariableValueSchema)
def variables(id):
    try:
        return ok(write_map(svc.task_variables(kb(), actor(), id, names_arg())))
    except svc.TaskMissing as e:
        raise RestError(500, "NullValueException", f"Cannot find task with id {id}: task is null") from e


@bp.get("/task/<id>/variables/<name>")
@docs.doc("One variable visible from the task", response=VariableValueSchema)
def variable(id, name):
    values = svc.task_variables(kb(), actor(), id, [name])
    if name not in values:
        raise RestError(404, "InvalidRequestException", f"task variable with name {name} does not exist")
    return ok(write_map(values)[name])


@bp.put("/task/<id>/variables/<name>")
@docs.doc("Set one variable (process scope)", body=VariableValueInSchema, status=204)
def put_variable(id, name):
    svc.modify_task_variables(kb(), actor(), id, read_map({name: load_body(cached(VariableValueInSchema))}))
    return no_content()


@bp.post("/task/<id>/variables")
@docs.doc("Set and delete variables (process scope)", body=PatchVariablesSchema, status=204)
def modify_variables(id):
    body = load_body(cached(PatchVariablesSchema))
    svc.modify_task_variables(kb(), actor(), id, read_map(body.get("modifications")), body.get("deletions") or [])
    return no_content()


@bp.delete("/task/<id>/variables/<name>")
@docs.doc("Delete one variable", status=204)
def delete_variable(id, name):
    svc.modify_task_variables(kb(), actor(), id, {}, [name])
    return no_content()
