"""tests/fakes/process.py free_port: a port below the system's range for outgoing connections,
never the same one twice; where that range starts at the lowest port, any free port."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.fakes import process


def ranged(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    real = Path.read_text

    def read_text(self: Path, *args: object, **kwargs: object) -> str:
        if str(self) == "/proc/sys/net/ipv4/ip_local_port_range":
            return text
        return real(self, *args, **kwargs)  # type: ignore[arg-type]
    monkeypatch.setattr(Path, "read_text", read_text)


def test_a_port_below_the_range_and_never_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    ranged(monkeypatch, "40000\t60999\n")
    ports = [process.free_port() for _ in range(20)]
    assert len(set(ports)) == 20
    assert all(28000 <= p < 40000 for p in ports)
    with socket.socket() as s:
        s.bind(("127.0.0.1", ports[0]))     # nobody listens on it


@pytest.mark.parametrize("text", ["1024 65535", "1000 65535", "1025 65535"])
def test_a_range_from_the_lowest_port_leaves_any_free_port(
        monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    ranged(monkeypatch, text)
    port = process.free_port()
    assert 1024 <= port <= 65535
