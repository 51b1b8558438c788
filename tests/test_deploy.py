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


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_the_systemd_unit_for_several_processes_verifies(tmp_path: Path) -> None:
    unit = (PROJECT_ROOT / "deploy" / "suara@.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/suara/venv/bin/python -m bot run --webhook" in unit
    # Each instance its own port and cache folder, all on the DATABASE_URL of suara.env.
    assert "Environment=WEBHOOK_PORT=844%i" in unit and "StateDirectory=suara/%i" in unit
    local = tmp_path / "suara@1.service"
    local.write_text(unit.replace("/opt/suara/venv/bin/python", sys.executable), encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", str(local)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def _env_lines(text: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("Environment="):
            for item in line.removeprefix("Environment=").split():
                key, _, value = item.partition("=")
                pairs[key] = value
    return pairs


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="no haproxy here")
@pytest.mark.parametrize("where", ["systemd", "compose"])
def test_the_load_balancer_configuration_is_valid(where: str) -> None:
    cfg = PROJECT_ROOT / "deploy" / "haproxy.cfg"
    if where == "systemd":
        env = _env_lines((PROJECT_ROOT / "deploy" / "suara-haproxy.conf").read_text("utf-8"))
    else:
        compose = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text(encoding="utf-8"))
        env = dict(compose["services"]["lb"]["environment"])
    assert {"SUARA_A", "SUARA_B", "LB_LISTEN", "LB_STATS"} <= set(env)
    result = subprocess.run(["haproxy", "-c", "-f", str(cfg)], capture_output=True, text=True,
                            timeout=60, env={"PATH": "/usr/sbin:/usr/bin:/bin", **env})
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_scale_profile_is_postgresql_two_webhook_processes_and_a_balancer() -> None:
    compose = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    scaled = {name for name, s in services.items() if "scale" in s.get("profiles", [])}
    assert scaled == {"postgres", "bot-a", "bot-b", "lb"}
    # The single bot is never started beside them (its SQLite would be a second deployment).
    assert services["bot"]["profiles"] == ["single"]
    example = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    assert "\nCOMPOSE_PROFILES=single\n" in example
    for name in ("bot-a", "bot-b"):
        bot = services[name]
        assert bot["command"] == ["python", "-m", "bot", "run", "--webhook"]
        assert bot["environment"]["DATABASE_URL"].startswith("postgresql://suara:${POSTGRES")
        assert bot["environment"]["DATABASE_URL"].endswith("@postgres:5432/suara")
        assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert "ports" not in bot            # reached only through the balancer
    assert services["bot-a"]["volumes"] != services["bot-b"]["volumes"]
    lb = services["lb"]
    assert lb["environment"]["SUARA_A"] == "bot-a:8443"
    assert lb["environment"]["SUARA_B"] == "bot-b:8443"
    assert any(v.startswith("./deploy/haproxy.cfg:") for v in lb["volumes"])
    assert all(p.startswith("127.0.0.1:") for p in lb["ports"])
    assert "suara-pg" in compose["volumes"]
