"""Comments on user tasks: whoever may see the open task reads and writes them; once the task is done, its
comments stay readable for whoever may read the history of its process instance."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Comment, ProcessInstance, Task
from . import authz
from .context import Actor, Kuaibao
from .errors import InvalidRequest, NotFound
from .tasks import TaskMissing, visible_task

MAX_MESSAGE = 4000


def list_comments(kb: Kuaibao, actor: Actor, task_id: str) -> list[Comment]:
    """Newest first, as Camunda lists them."""
    def work(s: Session) -> list[Comment]:
        _check_readable(kb, s, actor, task_id)
        return list(s.scalars(select(Comment).where(Comment.task_id == task_id)
                              .order_by(Comment.time.desc(), Comment.id)))
    return kb.read(work)


def get_comment(kb: Kuaibao, actor: Actor, task_id: str, comment_id: str) -> Comment:
    """One comment of a task the actor may read."""
    def work(s: Session) -> Comment:
        comment = s.get(Comment, comment_id)
        if comment is None or comment.task_id != task_id:
            raise NotFound(f"Task comment with id {comment_id} does not exist for task id '{task_id}'.")
        _check_readable(kb, s, actor, task_id)
        return comment
    return kb.read(work)


def create_comment(kb: Kuaibao, actor: Actor, task_id: str, message: str | None) -> Comment:
    """A comment by the actor on an open task they can see."""
    if message is None:
        raise InvalidRequest("Not enough parameters submitted: a comment needs a message")
    if len(message) > MAX_MESSAGE:
        raise InvalidRequest(f"A comment's message may have at most {MAX_MESSAGE} characters")

    def work(s: Session) -> Comment:
        try:
            task = visible_task(kb, s, actor, task_id)
        except TaskMissing:
            raise InvalidRequest(f"No task found for task id {task_id}") from None
        root = s.scalar(select(ProcessInstance.root_process_instance_id)
                        .where(ProcessInstance.id == task.process_instance_id))
        comment = Comment(task_id=task_id, process_instance_id=task.process_instance_id,
                          root_process_instance_id=root or task.process_instance_id, user_id=actor.user_id,
                          message=message)
        s.add(comment)
        s.flush()
        return comment
    return kb.command(work)


def _check_readable(kb: Kuaibao, s: Session, actor: Actor, task_id: str) -> None:
    """An open task: whoever may see it. A done one: whoever may read its process instance's history. Anything
    else is reported missing, as Camunda's (authorization-filtered) historic task query would."""
    try:
        visible_task(kb, s, actor, task_id)
        return
    except TaskMissing:
        pass
    if s.scalar(select(Task.id).where(Task.id == task_id)) is None:
        stmt = select(Comment.id).where(Comment.task_id == task_id).limit(1)
        readable = authz.policy(kb, actor, s).readable_instances(Comment.process_instance_id, history=True)
        if s.scalar(stmt if readable is None else stmt.where(readable)):
            return
    raise NotFound(f"No task found for task id {task_id}")
