"""The announcement flow's last step: what the official checks before sending (or asking a
second official): the audience, its recipients by language, how long sending takes."""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup

from bot.officials.drafts import Draft
from bot.officials.launch import describe_audience
from bot.officials.screens import LANGUAGE_NAMES
from bot.officials.widgets import button
from bot.services import Services


def summary_screen(draft: Draft, services: Services, counts: dict[str, int]
                   ) -> tuple[str, InlineKeyboardMarkup]:
    total = sum(counts.values())
    seconds = total / services.settings.broadcast_rate
    eta = f"{int(seconds // 60)} menit {int(seconds % 60)} detik"
    by_lang = ", ".join(f"{LANGUAGE_NAMES.get(k, k)} {v}" for k, v in sorted(counts.items()))
    threshold = services.settings.approval_threshold
    needs_second = threshold is not None and total > threshold
    text = ("📣 <b>Pengumuman baru</b> — langkah 3/3: periksa\n\n"
            f"<b>Sasaran:</b> {html.escape(describe_audience(draft, services.content, services.regions))}\n"
            f"<b>Penerima:</b> {total}{f' ({by_lang})' if by_lang else ''}\n"
            f"<b>Perkiraan lama kirim:</b> {eta} (pada {services.settings.broadcast_rate:g}/detik"
            f"{'' if draft.urgent else '; jam tenang ' + services.settings.quiet_hours + ' menunda'})")
    if needs_second:
        text += (f"\n\n👥 Lebih dari {threshold} penerima: perlu persetujuan petugas kedua "
                 "sebelum dikirim.")
    if total == 0:
        text += "\n\n⚠️ Belum ada pelanggan yang cocok: ubah sasarannya."
    send = button("📨 Minta persetujuan" if needs_second else "✅ Kirim", draft, "s")
    rows = [[send]] if total else []
    rows.append([button("✏️ Ubah", draft, "o"), button("✖ Batal", draft, "x")])
    return text, InlineKeyboardMarkup(rows)
