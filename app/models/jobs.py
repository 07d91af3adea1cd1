"""Jobs (timers, async continuations, handler calls), external tasks and incidents: the executor's work."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, new_id, utcnow

TIMER, TIMER_START, ASYNC, HANDLER = "timer", "timer-start", "async", "handler"


class Job(Base):
    """One unit of work for the executor, acquired with a lock that expires (a crashed worker's job runs again)."""

    __tablename__ = "job"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    type: Mapped[str] = mapped_column(String(32))
    process_instance_id: Mapped[str | None] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    process_definition_id: Mapped[str | None] = mapped_column(String(320), index=True)
    process_definition_key: Mapped[str | None] = mapped_column(String(255))
    activity_id: Mapped[str | None] = mapped_column(String(255))
    task_id: Mapped[str | None] = mapped_column(String(64))   # the SpiffWorkflow task the job continues
    due: Mapped[datetime] = mapped_column(default=utcnow)
    retries: Mapped[int] = mapped_column(Integer, default=3)
    retry_cycle: Mapped[str | None] = mapped_column(String(64))  # camunda:failedJobRetryTimeCycle, e.g. R3/PT5M
    lock_owner: Mapped[str | None] = mapped_column(String(255))
    lock_expiration: Mapped[datetime | None] = mapped_column()
    exception_message: Mapped[str | None] = mapped_column(Text)
    exception_stacktrace: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    suspended: Mapped[bool] = mapped_column(default=False)
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    configuration: Mapped[str | None] = mapped_column(Text)  # JSON: topic, timer expression, cycle state
    created: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_job_acquirable", Job.due, Job.lock_expiration)


class ExternalTask(Base):
    """A service task waiting for an external worker (fetch-and-lock)."""

    __tablename__ = "external_task"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SpiffWorkflow's task id
    process_instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"),
                                                     index=True)
    process_definition_id: Mapped[str] = mapped_column(String(320))
    process_definition_key: Mapped[str] = mapped_column(String(255))
    process_definition_version_tag: Mapped[str | None] = mapped_column(String(255))
    activity_id: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str] = mapped_column(String(255))
    business_key: Mapped[str | None] = mapped_column(String(255))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    worker_id: Mapped[str | None] = mapped_column(String(255))
    lock_expiration: Mapped[datetime | None] = mapped_column()
    retries: Mapped[int | None] = mapped_column(Integer)
    error_message: Mapped[str | None] = mapped_column(Text)
    error_details: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    suspended: Mapped[bool] = mapped_column(default=False)
    created: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_external_task_fetch", ExternalTask.topic, ExternalTask.lock_expiration)


class Incident(Base):
    """Something needs a person: a job or external task out of retries (Camunda's failedJob/failedExternalTask)."""

    __tablename__ = "incident"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    incident_type: Mapped[str] = mapped_column(String(64))
    process_instance_id: Mapped[str | None] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    process_definition_id: Mapped[str | None] = mapped_column(String(320))
    activity_id: Mapped[str | None] = mapped_column(String(255))
    configuration: Mapped[str | None] = mapped_column(String(64), index=True)  # the job or external task id
    message: Mapped[str | None] = mapped_column(Text)
    timestamp: Mapped[datetime] = mapped_column(default=utcnow)
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    annotation: Mapped[str | None] = mapped_column(Text)
