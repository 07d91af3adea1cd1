"""Camunda's authorization rows: a grant, revoke or global rule on (resource type, resource id) for a user or a
group, with a permission bitmask. Kuaibao's own implicit grants (a task's candidates and assignee) are not
rows: they are read from the work queue."""
from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, new_id

GLOBAL, GRANT, REVOKE = 0, 1, 2


class Authorization(Base):
    __tablename__ = "authorization_rule"  # AUTHORIZATION is a reserved word in SQL

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    type: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[str | None] = mapped_column(String(255))
    group_id: Mapped[str | None] = mapped_column(String(255))
    resource_type: Mapped[int] = mapped_column(Integer)
    resource_id: Mapped[str] = mapped_column(String(255))
    permissions: Mapped[int] = mapped_column(BigInteger)
    # Generated per process instance (reader groups): removed with that instance's history.
    root_process_instance_id: Mapped[str | None] = mapped_column(String(64), index=True)


Index("ix_authorization_rule_resource", Authorization.resource_type, Authorization.resource_id)
Index("ix_authorization_rule_group", Authorization.group_id, Authorization.resource_type)
Index("ix_authorization_rule_user", Authorization.user_id, Authorization.resource_type)
