"""Map links for polling stations (Telegram-free: answers and broadcasts both use them)."""

from __future__ import annotations

from bot.storage.tps import Tps


def map_url(tps: Tps) -> str | None:
    if tps.lat is None or tps.lon is None:
        return None
    return f"https://www.google.com/maps/search/?api=1&query={tps.lat},{tps.lon}"
