"""Comments on user tasks; kept after the task is done (no foreign key), as Camunda keeps them in history."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, new_id, utcnow


class Comment(Base):
    __tablename__ = "comment"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    task_id: Mapped[str | None] = mapped_column(String(64), index=True)
    process_instance_id: Mapped[str | None] = mapped_column(String(64), index=True)
    root_process_instance_id: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[str | None] = mapped_column(String(255))
    time: Mapped[datetime] = mapped_column(default=utcnow)
    message: Mapped[str] = mapped_column(Text)
