"""The Jilin walkthrough (tests/e2e/jilin_walkthrough.py) against a server set up as `make run` does."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("jilin_walkthrough.py")


def test_the_pack_runs_end_to_end_over_rest_with_the_demo_users(pack_server):
    result = subprocess.run([sys.executable, str(SCRIPT), pack_server.base_url], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert "JL-BA-0002 enrolled by its parent enterprise ENT-0001" in result.stdout
    assert "premium 76.62" in result.stdout
    assert "one-off disability grant 65000.00" in result.stdout
