"""The deployment files, checked as far as this machine allows: the systemd unit with
systemd-analyze (the Docker daemon is not available here, so the Dockerfile and compose file
are checked for what the README promises: a small base image, a non-root user, the database on
a volume, a health check, listening on 0.0.0.0 inside the container)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot import PROJECT_ROOT


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_the_systemd_unit_verifies(tmp_path: Path) -> None:
    unit = (PROJECT_ROOT / "deploy" / "suara.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/suara/venv/bin/python -m bot run" in unit
    # Verified with this interpreter in place of the install path (which must exist).
    local = tmp_path / "suara.service"
    local.write_text(unit.replace("/opt/suara/venv/bin/python", sys.executable), encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", str(local)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "KillSignal=SIGTERM" in unit and "User=suara" in unit


def test_the_dockerfile_and_compose_file_keep_their_promises() -> None:
    docker = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
    stages = [line for line in docker.splitlines() if line.startswith("FROM ")]
    assert stages[-1].startswith("FROM python:3.11-slim")
    assert "USER suara" in docker and "useradd" in docker
    assert 'VOLUME ["/data"]' in docker and "DATABASE_PATH=/data/suara.db" in docker
    assert "HEALTHCHECK" in docker and "/healthz" in docker
    assert "WEBHOOK_LISTEN=0.0.0.0" in docker
    assert 'CMD ["python", "-m", "bot", "run"]' in docker
    compose = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text(encoding="utf-8"))
    bot = compose["services"]["bot"]
    assert bot["env_file"] == ".env" and bot["environment"]["WEBHOOK_LISTEN"] == "0.0.0.0"
    assert any(v.endswith(":/data") for v in bot["volumes"]) and "suara-data" in compose["volumes"]
    assert all(p.startswith("127.0.0.1:") for p in bot.get("ports", []))
