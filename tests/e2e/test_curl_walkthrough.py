"""The issue's curl walkthrough, run with real curl against a real server, on each database."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("curl_walkthrough.sh")


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq")
def test_curl_walkthrough_ends_the_instance(kuaibao_server):
    result = subprocess.run([str(SCRIPT), kuaibao_server.base_url], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}\n--- server log ---\n{kuaibao_server.log()}"
    assert '"status":"approved"' in result.stdout and '"state":"COMPLETED"' in result.stdout
    assert "TaskAlreadyClaimedException" in result.stdout
