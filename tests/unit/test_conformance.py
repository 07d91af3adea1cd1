"""The public conformance corpus (Camunda, SpiffWorkflow, SpiffArena, BPMN MIWG): every file deploys or is
refused with a located, readable problem; nothing crashes the parser."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.engine.deployment import is_bpmn, is_dmn, parse_deployment
from app.engine.errors import DeploymentInvalid

_CANDIDATES = [os.environ.get("KUAIBAO_CONFORMANCE_DIR"),
               Path(__file__).resolve().parents[3] / "shared" / "conformance", "/work/shared/conformance"]
CORPUS = next((Path(c) for c in _CANDIDATES if c and Path(c).is_dir()), Path(_CANDIDATES[1]))
FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and (is_bpmn(p.name) or is_dmn(p.name))) \
    if CORPUS.is_dir() else []


@pytest.mark.skipif(not FILES, reason=f"conformance corpus not found at {CORPUS} (set KUAIBAO_CONFORMANCE_DIR)")
def test_every_corpus_file_deploys_or_is_refused_with_located_problems():
    deployed, refused = 0, 0
    for path in FILES:
        try:
            parse_deployment({path.name: path.read_bytes()})
            deployed += 1
        except DeploymentInvalid as e:
            refused += 1
            for problem in e.problems:
                assert problem.message.strip(), path
                assert problem.resource == path.name, (path, problem)
                assert problem.element_id or problem.line, (path, problem)
    assert deployed + refused == len(FILES)
    assert deployed >= 100, f"only {deployed} of {len(FILES)} corpus files deploy"
