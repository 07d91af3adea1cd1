"""API-test fixtures. Identities a test makes live in the session-wide identity tables: they get unique ids
and are removed afterwards."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete

from app.models import Group, Tenant, User
from tests.conftest import ADMIN


class Made:
    """Creates users, groups and tenants through the API as an administrator and deletes them at teardown."""

    def __init__(self, client, kb):
        self.client, self.kb = client, kb
        self.ids: dict[type, list[str]] = {User: [], Group: [], Tenant: []}

    def user(self, password: str = "correct horse", **profile) -> str:
        user_id = self.unique("user")
        r = self.client.post("/engine-rest/user/create", headers=ADMIN, json={
            "profile": {"id": user_id, **profile}, "credentials": {"password": password}})
        assert r.status_code == 204, r.json
        self.ids[User].append(user_id)
        return user_id

    def group(self, name: str = "Test group", kind: str = "WORKFLOW") -> str:
        group_id = self.unique("group")
        r = self.client.post("/engine-rest/group/create", headers=ADMIN, json={"id": group_id, "name": name,
                                                                               "type": kind})
        assert r.status_code == 204, r.json
        self.ids[Group].append(group_id)
        return group_id

    def tenant(self, name: str = "Test tenant") -> str:
        tenant_id = self.unique("tenant")
        r = self.client.post("/engine-rest/tenant/create", headers=ADMIN, json={"id": tenant_id, "name": name})
        assert r.status_code == 204, r.json
        self.ids[Tenant].append(tenant_id)
        return tenant_id

    @staticmethod
    def unique(prefix: str) -> str:
        return f"{prefix}-{uuid.uuid4().hex[:8]}"

    def remember(self, model: type, identifier: str) -> None:
        self.ids[model].append(identifier)

    def remove_all(self) -> None:
        with self.kb.store.transaction() as s:
            for model, ids in self.ids.items():
                if ids:
                    s.execute(delete(model).where(model.id.in_(ids)))
        self.kb.credentials.clear()


@pytest.fixture
def made(client, kb):
    helper = Made(client, kb)
    yield helper
    helper.remove_all()
