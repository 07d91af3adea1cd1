"""Users (memory-hard password hashes), groups, memberships, and tenants with their user and group members."""
from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    first_name: Mapped[str | None] = mapped_column(String(255))
    last_name: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    password_hash: Mapped[str | None] = mapped_column(String(255))


class Group(Base):
    __tablename__ = "user_group"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255))
    type: Mapped[str | None] = mapped_column(String(64))


class Membership(Base):
    __tablename__ = "membership"

    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[str] = mapped_column(ForeignKey("user_group.id", ondelete="CASCADE"), primary_key=True,
                                          index=True)


class Tenant(Base):
    """A tenant (in the Jilin pack: a region); its id is what definitions, instances and tasks carry."""

    __tablename__ = "tenant"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255))


class TenantMembership(Base):
    """A user or a group (exactly one of the two) belongs to a tenant."""

    __tablename__ = "tenant_membership"
    __table_args__ = (CheckConstraint("(user_id IS NULL) <> (group_id IS NULL)", name="user_or_group"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    group_id: Mapped[str | None] = mapped_column(ForeignKey("user_group.id", ondelete="CASCADE"))


# Unique per member (NULLs never collide), and the lookups tenants_of makes.
Index("ix_tenant_membership_user", TenantMembership.user_id, TenantMembership.tenant_id, unique=True)
Index("ix_tenant_membership_group", TenantMembership.group_id, TenantMembership.tenant_id, unique=True)
