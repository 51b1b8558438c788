"""Versioned, compact callback data. Telegram-free: the delivery engine puts the one-tap
unsubscribe button under broadcasts without knowing anything of keyboards."""

from __future__ import annotations

from dataclasses import dataclass

# Bump when the meaning of callback data changes; older buttons then get a polite refresh.
CALLBACK_VERSION = "1"
MAX_CALLBACK_BYTES = 64


@dataclass(frozen=True)
class Callback:
    # m=menu t=topic e=entry l=language d=delete k=kecamatan page c=desa page v=pick desa
    # s=show desa p=TPS venue y=save desa L=ask for location S=subscribe u=unsubscribe
    # T=toggle a subscription topic
    kind: str
    arg: str = ""

    def encode(self) -> str:
        data = f"{CALLBACK_VERSION}:{self.kind}:{self.arg}"
        if len(data.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
        return data


def decode(data: str | None) -> Callback | None:
    """The callback, or None when it is from another version or malformed (stale button)."""
    if not data:
        return None
    parts = data.split(":", 2)
    if len(parts) < 2 or parts[0] != CALLBACK_VERSION or not parts[1]:
        return None
    return Callback(parts[1], parts[2] if len(parts) == 3 else "")


UNSUBSCRIBE = Callback("u").encode()
