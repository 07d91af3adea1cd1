"""The Tasklist: my agency's queue and my tasks, a task's form, diagram, comments and the case's history; claim,
unclaim, assign and complete with POST/redirect/GET. Starting a process (outlets file claims this way) is in
tasklist_start.py; lists in tasklist_lists.py, the task page's data in tasklist_task.py, forms in tasklist_forms.py.
"""
from __future__ import annotations

import json
from urllib.parse import parse_qsl

from flask import Blueprint, abort, flash, g, redirect, render_template, request
from flask_babel import gettext as _

from ..api.http import kb
from ..services import comments, tasks
from ..services.errors import Forbidden, NotFound, ServiceError, TaskAlreadyClaimed
from ..services.forms import FormInvalid
from . import tasklist_start
from .tasklist_forms import check, parse
from .tasklist_lists import DUE, SORTS, STAGES, VIEWS, ListState
from .tasklist_lists import load as load_list
from .tasklist_task import load as load_task
from .tasklist_task import next_task

bp = Blueprint("tasklist", __name__)


@bp.context_processor
def helpers():
    return {"stage_names": STAGES, "view_names": VIEWS, "due_names": DUE, "sort_names": {key: label for key, (label, _sorting) in SORTS.items()}}


@bp.get("/tasks")
def index():
    state = ListState.from_args(request.args)
    return render_template("tasklist/index.html", tasklist=load_list(kb(), g.actor, state))


@bp.get("/tasks/<task_id>")
def task(task_id: str):
    return _task_page(task_id, ListState.from_args(request.args))


def _task_page(task_id: str, state: ListState, submitted=None, errors=None, form_error=None):
    try:
        page = load_task(kb(), g.actor, task_id, submitted, errors)
    except NotFound:
        abort(404)
    return render_template("tasklist/task.html", page=page, tasklist=load_list(kb(), g.actor, state),
                           form_error=form_error)


@bp.post("/tasks/<task_id>/claim")
def claim(task_id: str):
    state = _posted_state()
    if _act(lambda: tasks.claim(kb(), g.actor, task_id, g.actor.user_id)):
        flash(_("You claimed the task; it is in My tasks."), "success")
    return redirect(_task_url(task_id, state))


@bp.post("/tasks/<task_id>/unclaim")
def unclaim(task_id: str):
    state = _posted_state()
    if _act(lambda: tasks.set_assignee(kb(), g.actor, task_id, None)):
        flash(_("You gave the task back to the queue."), "success")
        return redirect(_list_url(state))
    return redirect(_task_url(task_id, state))


@bp.post("/tasks/<task_id>/assign")
def assign(task_id: str):
    state = _posted_state()
    user_id = (request.form.get("user_id") or "").strip() or None
    if _act(lambda: tasks.set_assignee(kb(), g.actor, task_id, user_id)):
        flash(_("The task is assigned to %(user)s.", user=user_id) if user_id else _("The task is unassigned."),
              "success")
    return redirect(_task_url(task_id, state))


@bp.post("/tasks/<task_id>/complete")
def complete(task_id: str):
    """Complete with the form's values; a refusal shows the page again with the values and a message per field."""
    state = _posted_state()
    service = kb()
    try:
        found = tasks.get_task(service, g.actor, task_id)
    except NotFound:
        flash(_("This task is no longer open."), "error")
        return redirect(_list_url(state))
    fields = json.loads(found.form_fields) if found.form_fields else []
    values, errors, raw = parse(fields, request.form)
    if errors:  # not even of the field's type: say so, with whatever else the check finds
        errors = {**check(fields, values), **errors}
        return _task_page(task_id, state, raw, errors, _("Please correct the marked fields."))
    try:
        tasks.complete(service, g.actor, task_id, values)
    except FormInvalid as e:
        errors = check(fields, values)
        return _task_page(task_id, state, raw, errors, _("Please correct the marked fields.") if errors else str(e))
    except NotFound:
        flash(_("This task is no longer open."), "error")
        return redirect(_list_url(state))
    except ServiceError as e:
        return _task_page(task_id, state, raw, {}, _problem(e, _("The task could not be completed: %(reason)s")))
    following = next_task(service, g.actor, found.process_instance_id)
    if following is not None:
        flash(_("Completed %(task)s. Next in this case: %(next)s.", task=found.name, next=following.name), "success")
        return redirect(_task_url(following.id, state))
    flash(_("Completed %(task)s.", task=found.name), "success")
    return redirect(_list_url(state))


@bp.post("/tasks/<task_id>/comments")
def comment(task_id: str):
    state = _posted_state()
    message = (request.form.get("message") or "").strip()
    if not message:
        flash(_("Write a comment first."), "error")
    elif _act(lambda: comments.create_comment(kb(), g.actor, task_id, message)):
        flash(_("Comment added."), "success")
    return redirect(_task_url(task_id, state) + "#comments")


def _act(command) -> bool:
    """Run a command; a refusal becomes a flashed message in the page's language."""
    try:
        command()
        return True
    except ServiceError as e:
        flash(_problem(e), "error")
        return False


def _problem(error: ServiceError, otherwise: str | None = None) -> str:
    if isinstance(error, TaskAlreadyClaimed):
        return _("Someone else has already claimed this task.")
    if isinstance(error, Forbidden):
        return _("You may not do this with this task.")
    if isinstance(error, NotFound):
        return _("This task is no longer open.")
    return (otherwise or _("The action failed: %(reason)s")) % {"reason": str(error)}


def _posted_state() -> ListState:
    """The list the page showed (sent back by its forms), so an action returns to the same list."""
    return ListState.from_args(dict(parse_qsl(request.form.get("list") or "")))


def _task_url(task_id: str, state: ListState) -> str:
    query = state.query_string()
    return f"/tasks/{task_id}" + (f"?{query}" if query else "")


def _list_url(state: ListState) -> str:
    query = state.query_string()
    return "/tasks" + (f"?{query}" if query else "")


tasklist_start.register(bp)
