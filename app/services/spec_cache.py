"""Parsed specs by definition id: definitions never change once deployed, so a cached spec never goes stale."""
from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine.serializer import SpecBundle
from ..models import ProcessDefinition


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
