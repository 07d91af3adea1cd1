"""Deployments, their resources, and the process and decision definitions parsed from them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, new_id, utcnow


class Deployment(Base):
    __tablename__ = "deployment"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    name: Mapped[str | None] = mapped_column(String(255), index=True)
    source: Mapped[str | None] = mapped_column(String(255))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    deployment_time: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Resource(Base):
    __tablename__ = "deployment_resource"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    deployment_id: Mapped[str] = mapped_column(ForeignKey("deployment.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ProcessDefinition(Base):
    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("key", "version", "tenant_id"),)

    id: Mapped[str] = mapped_column(String(320), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(255))
    deployment_id: Mapped[str] = mapped_column(ForeignKey("deployment.id", ondelete="CASCADE"), index=True)
    resource_name: Mapped[str] = mapped_column(String(255))
    version_tag: Mapped[str | None] = mapped_column(String(255))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    history_time_to_live: Mapped[int | None] = mapped_column(Integer)
    startable: Mapped[bool] = mapped_column(default=True)
    suspended: Mapped[bool] = mapped_column(default=False)
    spec: Mapped[str] = mapped_column(Text)            # serialized SpiffWorkflow spec, stored once
    start_form: Mapped[str | None] = mapped_column(Text)  # JSON: {key, fields, initiator}
    start_message: Mapped[str | None] = mapped_column(String(255), index=True)  # message start event's name
    start_signal: Mapped[str | None] = mapped_column(String(255), index=True)   # signal start event's name
    # camunda:candidateStarterGroups / candidateStarterUsers, comma-separated; a '*' in a group matches any text.
    candidate_starter_groups: Mapped[str | None] = mapped_column(Text)
    candidate_starter_users: Mapped[str | None] = mapped_column(Text)
    reader_groups: Mapped[str | None] = mapped_column(Text)  # camunda:property readerGroups, unevaluated


class DecisionDefinition(Base):
    __tablename__ = "decision_definition"
    __table_args__ = (UniqueConstraint("key", "version", "tenant_id"),)

    id: Mapped[str] = mapped_column(String(320), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(255))
    category: Mapped[str | None] = mapped_column(String(255))
    deployment_id: Mapped[str] = mapped_column(ForeignKey("deployment.id", ondelete="CASCADE"), index=True)
    resource_name: Mapped[str] = mapped_column(String(255))
    version_tag: Mapped[str | None] = mapped_column(String(255))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    history_time_to_live: Mapped[int | None] = mapped_column(Integer)


Index("ix_process_definition_key_tenant", ProcessDefinition.key, ProcessDefinition.tenant_id, ProcessDefinition.version)
