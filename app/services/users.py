"""Users: query, profile, create, credentials, delete (Camunda's /user resource)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..models import Membership, TenantMembership, User
from . import directory
from .context import Actor, Kuaibao
from .errors import BadUserRequest, InvalidRequest, NotFound
from .identity import check_password, hash_password, verify_login
from .login_throttle import LoginThrottle
from .queries import Page, Sorting, apply_page, apply_sorting


@dataclass
class UserQuery:
    """Camunda's UserQueryDto, in snake case."""

    id: str | None = None
    id_in: list[str] | None = None
    first_name: str | None = None
    first_name_like: str | None = None
    last_name: str | None = None
    last_name_like: str | None = None
    email: str | None = None
    email_like: str | None = None
    member_of_group: str | None = None
    member_of_tenant: str | None = None
    sorting: list[Sorting] = field(default_factory=list)
    page: Page = field(default_factory=Page)


@dataclass(frozen=True)
class Profile:
    """Camunda's UserProfileDto, as written by a client."""

    id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None


SORT_COLUMNS = {"userId": User.id, "firstName": User.first_name, "lastName": User.last_name, "email": User.email}


def _filtered(stmt, q: UserQuery):
    equal = [(User.id, q.id), (User.first_name, q.first_name), (User.last_name, q.last_name), (User.email, q.email)]
    like = [(User.first_name, q.first_name_like), (User.last_name, q.last_name_like), (User.email, q.email_like)]
    conditions = [column == value for column, value in equal if value is not None]
    conditions += [column.like(value) for column, value in like if value is not None]
    if q.id_in:
        conditions.append(User.id.in_(q.id_in))
    if q.member_of_group is not None:
        conditions.append(User.id.in_(select(Membership.user_id).where(Membership.group_id == q.member_of_group)))
    if q.member_of_tenant is not None:  # direct members, as in Camunda (not through a group)
        conditions.append(User.id.in_(select(TenantMembership.user_id).where(
            TenantMembership.tenant_id == q.member_of_tenant)))
    return stmt.where(*conditions)


def list_users(kb: Kuaibao, actor: Actor, q: UserQuery) -> list[User]:
    """Profiles matching the criteria (any authenticated user may read the directory)."""
    stmt = apply_page(apply_sorting(_filtered(select(User), q), q.sorting, SORT_COLUMNS, User.id), q.page)
    return kb.read(lambda s: list(s.scalars(stmt)))


def count_users(kb: Kuaibao, actor: Actor, q: UserQuery) -> int:
    """How many users match (paging and sorting aside)."""
    return kb.read(lambda s: s.scalar(_filtered(select(func.count(User.id)), q)))


def get_user(kb: Kuaibao, actor: Actor, user_id: str) -> User:
    """One user's profile; unknown ids are Camunda's 404."""
    return kb.read(lambda s: _user(s, user_id))


def _user(s: Session, user_id: str) -> User:
    user = s.get(User, user_id)
    if user is None:
        raise NotFound(f"User with id {user_id} does not exist")
    return user


def create_user(kb: Kuaibao, actor: Actor, profile: Profile | None, password: str | None) -> None:
    """A new user; without a password they exist (can be assigned, listed) but cannot log in."""
    if profile is None or not profile.id:
        raise InvalidRequest("request object must provide profile information with valid id.")
    directory.check_id("User", profile.id)
    directory.require_admin(kb, actor, "CREATE", "User")
    password_hash = hash_password(directory.valid_password(password)) if password is not None else None

    def work(s: Session) -> None:
        if s.get(User, profile.id) is not None:
            raise BadUserRequest("The user already exists")
        s.add(User(id=profile.id, first_name=profile.first_name, last_name=profile.last_name, email=profile.email,
                   password_hash=password_hash))
    directory.create(kb, work, "The user already exists")


def update_profile(kb: Kuaibao, actor: Actor, user_id: str, profile: Profile) -> None:
    """Replace names and e-mail (as Camunda does: a missing field becomes empty); the id cannot change."""
    directory.require_admin(kb, actor, "UPDATE", "User", user_id)
    if profile.id is not None and profile.id != user_id:
        raise InvalidRequest("A user's id cannot be changed")

    def work(s: Session) -> None:
        user = _user(s, user_id)
        user.first_name, user.last_name, user.email = profile.first_name, profile.last_name, profile.email
    kb.command(work)


def update_credentials(kb: Kuaibao, actor: Actor, user_id: str, password: str | None,
                       authenticated_user_password: str | None, throttle: LoginThrottle | None = None,
                       address: str | None = None) -> None:
    """Set a password, confirmed with the caller's own (throttled); ends the user's logins and sessions."""
    current = authenticated_user_password or ""
    confirmed = (verify_login(kb, throttle, actor.user_id, current, address) if throttle is not None
                 else check_password(kb, actor.user_id, current))
    if confirmed is None:
        raise InvalidRequest("The given authenticated user password is not valid.")
    if user_id != actor.user_id:
        directory.require_admin(kb, actor, "UPDATE", "User", user_id)
    password_hash = hash_password(directory.valid_password(password))

    def work(s: Session) -> None:
        _user(s, user_id).password_hash = password_hash
    kb.command(work)
    directory.changed(kb, user_id)


def delete_user(kb: Kuaibao, actor: Actor, user_id: str) -> None:
    """Remove a user with their group and tenant memberships; the tasks they hold keep their name."""
    directory.require_admin(kb, actor, "DELETE", "User", user_id)

    def work(s: Session) -> None:
        _user(s, user_id)
        s.execute(delete(User).where(User.id == user_id))
    kb.command(work)
    directory.changed(kb, user_id)
