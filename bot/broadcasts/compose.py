"""Composing a broadcast message for one recipient: the text (a literal text, or a content
template rendered for the recipient's language and village, with that village's TPS), and the
Bot API payload with its one-tap unsubscribe button. Telegram-free: plain JSON.

A template reads the view of the audience's region (`audience_view`): a broadcast to one
kabupaten/kota (or a kecamatan or desa of it) renders with that region's name, race, contacts
and milestones; a province-wide or deployment-wide audience reads the shared layer."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.callbacks import UNSUBSCRIBE
from bot.content.registry import Content, render_broadcast
from bot.regions.directory import TpsDirectory
from bot.regions.maps import map_url
from bot.regions.tree import DESA, RegionTree
from bot.storage.broadcasts import Broadcast, Recipient

TPS_IN_BROADCAST = 5


def audience_view(content: Content, region: str | None) -> Content:
    """The content a broadcast to `region` renders with: the region's view when the audience
    lies within one kabupaten/kota of a province or national deployment, else the shared
    layer (a whole province of a national deployment included)."""
    parts = (region or "").split(".")
    code = ".".join(parts[:2])
    if not content.is_province or len(parts) < 2 or not content.covers(code):
        return content
    return content.for_region(code)


class ComposeError(Exception):
    """The broadcast cannot be composed (its template is gone, or rendering failed)."""


class Composer:
    def __init__(self, content: Content, regions: RegionTree, tps: TpsDirectory,
                 paid: bool = False) -> None:
        self.content, self.regions, self.tps, self.paid = content, regions, tps, paid
        self._unsubscribe = {lang: content.message("btn_unsubscribe", lang) for lang in ("id", "en")}

    def text(self, broadcast: Broadcast, recipient: Recipient, today: date) -> str:
        if broadcast.text is not None:
            return broadcast.text
        template = broadcast.template
        view = audience_view(self.content, broadcast.region)
        if template is None or template not in view.broadcast_templates:
            raise ComposeError(f"template {template!r} is not in the content")
        lang = recipient.language if recipient.language in ("id", "en") else "id"
        region = self.regions.get(recipient.region or "")
        desa = region if region is not None and region.level == DESA else None
        stations = self.tps.by_desa.get(desa.code, []) if desa else []
        try:
            return render_broadcast(
                view, template, lang, today,
                days_left=(view.election.voting_day - today).days,
                region_name=desa.name if desa else "",
                kecamatan_name=self.regions.kecamatan_of(desa).name if desa else "",
                tps=[{"nomor": t.nomor, "alamat": t.alamat, "map_url": map_url(t)}
                     for t in stations[:TPS_IN_BROADCAST]],
                tps_sample=self.tps.is_sample)
        except Exception as exc:  # a content bug must end this broadcast, not the engine
            raise ComposeError(f"template {template!r} ({lang}) does not render: "
                               f"{type(exc).__name__}: {exc}") from exc

    def payload(self, recipient: Recipient, text: str) -> dict[str, Any]:
        label = self._unsubscribe.get(recipient.language, self._unsubscribe["id"])
        payload: dict[str, Any] = {
            "chat_id": recipient.user_id, "text": text, "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
            "reply_markup": {"inline_keyboard": [[{"text": label, "callback_data": UNSUBSCRIBE}]]},
        }
        if self.paid:
            payload["allow_paid_broadcast"] = True
        return payload
