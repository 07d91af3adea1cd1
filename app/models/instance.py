"""Process instances (state without the spec, optimistic version) and their typed variables."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, new_id, utcnow

ACTIVE, COMPLETED, EXTERNALLY_TERMINATED = "ACTIVE", "COMPLETED", "EXTERNALLY_TERMINATED"


class ProcessInstance(Base):
    __tablename__ = "process_instance"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    definition_id: Mapped[str] = mapped_column(ForeignKey("process_definition.id", ondelete="CASCADE"), index=True)
    definition_key: Mapped[str] = mapped_column(String(255), index=True)
    business_key: Mapped[str | None] = mapped_column(String(255), index=True)
    tenant_id: Mapped[str | None] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(32), default=ACTIVE, index=True)
    suspended: Mapped[bool] = mapped_column(default=False)
    workflow: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    start_time: Mapped[datetime] = mapped_column(default=utcnow)
    end_time: Mapped[datetime | None] = mapped_column()
    start_user_id: Mapped[str | None] = mapped_column(String(255))
    # Set on an instance started by a call activity: the caller and the waiting call-activity task.
    super_process_instance_id: Mapped[str | None] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    super_task_id: Mapped[str | None] = mapped_column(String(64))
    root_process_instance_id: Mapped[str | None] = mapped_column(String(64), index=True)

    __mapper_args__ = {"version_id_col": version}


# History cleanup picks the oldest ended instances first (services/history_cleanup.py).
Index("ix_process_instance_end_time", ProcessInstance.end_time)


class EventSubscription(Base):
    """An event a running instance waits for (message, signal, timer): correlation is an indexed query."""

    __tablename__ = "event_subscription"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    process_instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"),
                                                     index=True)
    event_type: Mapped[str] = mapped_column(String(64))
    event_name: Mapped[str | None] = mapped_column(String(255))
    activity_id: Mapped[str] = mapped_column(String(255))
    due: Mapped[datetime | None] = mapped_column(index=True)  # timers
    created: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_event_subscription_lookup", EventSubscription.event_type, EventSubscription.event_name)


class Variable(Base):
    __tablename__ = "variable"
    __table_args__ = (UniqueConstraint("process_instance_id", "name"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    process_instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255), index=True)
    type: Mapped[str] = mapped_column(String(32))
    value: Mapped[str | None] = mapped_column(Text)          # canonical JSON of the stored value
    text_value: Mapped[str | None] = mapped_column(String(4000))
    long_value: Mapped[int | None] = mapped_column(BigInteger)
    double_value: Mapped[float | None] = mapped_column(Float)
    value_info: Mapped[str | None] = mapped_column(Text)     # JSON
    created: Mapped[datetime | None] = mapped_column()


class BufferedMessage(Base):
    """A message that found no receiver yet: kept until its time-to-live ends, delivered when one appears."""

    __tablename__ = "message_buffer"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(255), index=True)
    business_key: Mapped[str | None] = mapped_column(String(255))
    process_instance_id: Mapped[str | None] = mapped_column(String(64))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    correlation_keys: Mapped[str | None] = mapped_column(Text)  # JSON {name: stored value JSON}
    variables: Mapped[str | None] = mapped_column(Text)         # JSON {name: {type, value, valueInfo}}
    expires: Mapped[datetime] = mapped_column(index=True)
    created: Mapped[datetime] = mapped_column(default=utcnow)
