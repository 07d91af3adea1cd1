"""Parsed specs and decision tables by definition id: definitions never change once deployed, so a cached
one never goes stale."""
from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine.decisions import decision_engine
from ..engine.serializer import SpecBundle
from ..models import DecisionDefinition, ProcessDefinition, Resource


class SpecCache:
    """A bounded LRU of SpecBundles, filled from the definitions table on a miss."""

    def __init__(self, size: int = 512):
        self.size = size
        self._items: OrderedDict[str, SpecBundle] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session: Session, definition_id: str) -> SpecBundle:
        with self._lock:
            bundle = self._items.get(definition_id)
            if bundle is not None:
                self._items.move_to_end(definition_id)
                return bundle
        text = session.scalar(select(ProcessDefinition.spec).where(ProcessDefinition.id == definition_id))
        if text is None:
            raise KeyError(definition_id)
        bundle = SpecBundle(text)
        with self._lock:
            self._items[definition_id] = bundle
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return bundle


class DecisionCache:
    """Runnable decision tables by decision definition id (immutable once deployed)."""

    def __init__(self, size: int = 256):
        self.size = size
        self._items: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()

    def latest(self, session: Session, key: str, tenant_id: str | None = None):
        """The latest deployed version of decision `key` as a DMNEngine, or None if there is none."""
        dd = DecisionDefinition
        stmt = select(dd.id, dd.deployment_id, dd.resource_name).where(dd.key == key)
        stmt = stmt.where(dd.tenant_id == tenant_id) if tenant_id else stmt.where(dd.tenant_id.is_(None))
        row = session.execute(stmt.order_by(dd.version.desc()).limit(1)).first()
        if row is None:
            return None
        with self._lock:
            engine = self._items.get(row.id)
            if engine is not None:
                self._items.move_to_end(row.id)
                return engine
        data = latest_resource(session, row.deployment_id, row.resource_name)
        engine = decision_engine(data, key, row.resource_name)
        with self._lock:
            self._items[row.id] = engine
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return engine


def latest_resource(session: Session, deployment_id: str, name: str) -> bytes | None:
    return session.scalar(select(Resource.data).where(Resource.deployment_id == deployment_id, Resource.name == name))


def latest_decision_dmn(session: Session, key: str) -> bytes | None:
    """The DMN resource holding the latest version of decision `key` (used to check a BPMN at deploy)."""
    dd = DecisionDefinition
    row = session.execute(select(dd.deployment_id, dd.resource_name).where(dd.key == key, dd.tenant_id.is_(None))
                          .order_by(dd.version.desc()).limit(1)).first()
    return latest_resource(session, row.deployment_id, row.resource_name) if row else None
