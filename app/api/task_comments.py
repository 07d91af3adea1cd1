"""/task/{id}/comment: comments on a task, for whoever may see the task."""
from __future__ import annotations

from flask import Blueprint

from ..services import comments as svc
from . import docs
from .http import actor, kb, link, load_body, ok
from .schemas import cached
from .schemas.comments import CommentInSchema, CommentSchema

bp = Blueprint("task_comments", __name__)


@bp.get("/task/<id>/comment")
@docs.doc("A task's comments, newest first", response=CommentSchema, many=True)
def list_(id):
    return ok(cached(CommentSchema, many=True).dump(svc.list_comments(kb(), actor(), id)))


@bp.get("/task/<id>/comment/<comment_id>")
@docs.doc("One comment of a task", response=CommentSchema)
def get(id, comment_id):
    return ok(cached(CommentSchema).dump(svc.get_comment(kb(), actor(), id, comment_id)))


@bp.post("/task/<id>/comment/create")
@docs.doc("Comment on a task", body=CommentInSchema, response=CommentSchema)
def create(id):
    comment = svc.create_comment(kb(), actor(), id, load_body(cached(CommentInSchema))["message"])
    body = cached(CommentSchema).dump(comment)
    body["links"] = [link(f"/task/{id}/comment/{comment.id}")]
    return ok(body)
