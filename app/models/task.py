"""One row per open user task, so work queues are indexed queries that never load a workflow."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Task(Base):
    __tablename__ = "task"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SpiffWorkflow's task id
    process_instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"),
                                                     index=True)
    process_definition_id: Mapped[str] = mapped_column(String(320))
    process_definition_key: Mapped[str] = mapped_column(String(255), index=True)
    task_definition_key: Mapped[str] = mapped_column(String(255), index=True)
    name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    assignee: Mapped[str | None] = mapped_column(String(255), index=True)
    owner: Mapped[str | None] = mapped_column(String(255))
    created: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_updated: Mapped[datetime | None] = mapped_column()
    due: Mapped[datetime | None] = mapped_column(index=True)
    follow_up: Mapped[datetime | None] = mapped_column()
    priority: Mapped[int] = mapped_column(Integer, default=50)
    form_key: Mapped[str | None] = mapped_column(String(255))
    form_fields: Mapped[str | None] = mapped_column(Text)  # JSON list
    tenant_id: Mapped[str | None] = mapped_column(String(64), index=True)


class TaskCandidate(Base):
    """A candidate group or user of a task (Camunda's candidate identity links). The row outlives the open task:
    it belongs to the task's history row, so who a finished task was offered to stays known (and decides who
    may see the case)."""

    __tablename__ = "task_candidate"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("history_activity.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[str | None] = mapped_column(String(255))
    user_id: Mapped[str | None] = mapped_column(String(255))


Index("ix_task_candidate_group", TaskCandidate.group_id, TaskCandidate.task_id)
Index("ix_task_candidate_user", TaskCandidate.user_id, TaskCandidate.task_id)
