"""History: activity instances (user tasks among them) and the user operation log. Finished process
instances stay in `process_instance` until the history cleanup removes them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, new_id, utcnow


class HistoryActivity(Base):
    """One activity instance: when the token reached a flow node and when it left. A user task's row carries
    its task fields too (assignee, due, priority…), so historic tasks are the rows of type userTask."""

    __tablename__ = "history_activity"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the SpiffWorkflow task id (= the task's id)
    parent_activity_instance_id: Mapped[str | None] = mapped_column(String(64))
    activity_id: Mapped[str] = mapped_column(String(255))
    activity_name: Mapped[str | None] = mapped_column(String(255))
    activity_type: Mapped[str] = mapped_column(String(64))
    process_instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    process_definition_id: Mapped[str] = mapped_column(String(320))
    process_definition_key: Mapped[str] = mapped_column(String(255))
    root_process_instance_id: Mapped[str] = mapped_column(String(64), index=True)
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    start_time: Mapped[datetime] = mapped_column(default=utcnow)
    end_time: Mapped[datetime | None] = mapped_column()
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # order within one command
    canceled: Mapped[bool] = mapped_column(default=False)
    called_process_instance_id: Mapped[str | None] = mapped_column(String(64))
    # user tasks only
    assignee: Mapped[str | None] = mapped_column(String(255))
    owner: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    due: Mapped[datetime | None] = mapped_column()
    follow_up: Mapped[datetime | None] = mapped_column()
    priority: Mapped[int | None] = mapped_column(Integer)
    delete_reason: Mapped[str | None] = mapped_column(String(64))


Index("ix_history_activity_instance", HistoryActivity.process_instance_id, HistoryActivity.start_time)
Index("ix_history_activity_type", HistoryActivity.activity_type, HistoryActivity.start_time)
Index("ix_history_activity_assignee", HistoryActivity.assignee)


class OperationLog(Base):
    """Camunda's user operation log: who did what to which entity, when, with the old and new value."""

    __tablename__ = "operation_log"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    operation_id: Mapped[str] = mapped_column(String(64), index=True)  # entries of one operation share it
    operation_type: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(64))
    property: Mapped[str | None] = mapped_column(String(255))
    org_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[str | None] = mapped_column(String(255), index=True)
    timestamp: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    process_instance_id: Mapped[str | None] = mapped_column(String(64), index=True)
    root_process_instance_id: Mapped[str | None] = mapped_column(String(64), index=True)
    process_definition_id: Mapped[str | None] = mapped_column(String(320))
    process_definition_key: Mapped[str | None] = mapped_column(String(255))
    deployment_id: Mapped[str | None] = mapped_column(String(64))
    task_id: Mapped[str | None] = mapped_column(String(64), index=True)
    job_id: Mapped[str | None] = mapped_column(String(64))
    external_task_id: Mapped[str | None] = mapped_column(String(64))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    annotation: Mapped[str | None] = mapped_column(Text)
