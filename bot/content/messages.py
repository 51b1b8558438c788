"""The messages the code sends, with the variables each template may use (and sample values).

A message key listed here must exist in content/messages.yaml, and no other key may: that
catches both a missing translation of the bot's own words and a typo in a key.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from markupsafe import Markup

_SAMPLE_SOURCES = [{"title": "Contoh sumber", "url": "https://example.org/a", "date": "1 Jan 2024"}]

_SAMPLE_TPS = {"nomor": 3, "alamat": "Balai Desa <Contoh> & Co", "aksesibilitas": "Landai",
               "keterangan": "Dekat masjid", "map_url": "https://www.google.com/maps/search/?api=1&query=-3.2,104.4"}

MESSAGE_VARIABLES: dict[str, dict[str, Any]] = {
    "start": {"first_name": "Rina <b>"},
    # `phase` (content/phases.py): what applies after voting day; checked in every phase.
    "help": {"phase": "before_voting"},
    "menu": {},
    "topic": {"topic_title": "Hak pilih", "emoji": "🗳"},
    "answer": {"title": "Judul", "body": Markup("Isi <b>jawaban</b>."), "sources": _SAMPLE_SOURCES},
    "suggestions": {},
    "smalltalk": {"said": "about", "greeted": True},
    "greeting_back": {},
    "claim_facts": {"verdict": False, "claim": "TPS tutup jam 3 sore <b>", "corrected": False},
    "claim_unknown": {},
    "fallback": {},
    "out_of_scope": {},
    "language_prompt": {},
    "language_set": {},
    "countdown_before": {"days": 12, "hours": 5, "voting_day": date(2024, 11, 27)},
    "countdown_today": {"opens_in_hours": 0, "open_now": True, "closed": False},
    "countdown_after": {
        "days_since": 3,
        "upcoming": [{"title": "Penetapan hasil", "start": date(2024, 12, 15), "end": None}],
    },
    "sources": {"sources": _SAMPLE_SOURCES},
    "delete_confirm": {"question_days": 90},
    "privacy": {"question_days": 90, "outcome_days": 30},
    "my_data": {"data": '{"users": [{"user_id": 1, "language": "id"}]}'},
    "my_data_none": {},
    "deleted": {},
    "delete_cancelled": {},
    "nothing_to_delete": {},
    "unsupported_media": {},
    "too_long": {"limit": 500},
    "other_script": {},
    "no_text": {},
    "flood_notice": {"limit": 30, "minutes": 1},
    "stale_button": {},
    "nik_warning": {},
    "error": {},
    "group_hint": {"bot_username": "suara_bot"},
    "private_only": {"command": "/datasaya"},
    # `region`: the kabupaten/kota whose kecamatan these are (None: a one-regency deployment's)
    "region_kecamatan": {"region": "Kabupaten <Lahat>", "page": 1, "pages": 3},
    "region_mine": {"region": "Kota <Palembang>", "page": 1, "pages": 3},
    "region_desa": {"kecamatan": "Gelumbang", "page": 1, "pages": 2},
    "tps_list": {"desa": "Gelumbang", "kecamatan": "Gelumbang", "sample": True, "saved": True,
                 "more": 2, "stations": [_SAMPLE_TPS, {**_SAMPLE_TPS, "map_url": None}]},
    "tps_none_in_desa": {"desa": "Gelumbang", "kecamatan": "Gelumbang", "sample": False},
    "tps_unavailable": {"desa": "Gelumbang", "kecamatan": "Gelumbang"},
    "tps_nearest": {"sample": True, "stations": [
        {**_SAMPLE_TPS, "desa": "Gelumbang", "kecamatan": "Gelumbang", "distance": 1.25}]},
    "tps_far": {"sample": False, "distance": 42.5, "desa": "Gelumbang", "kecamatan": "Gelumbang"},
    "tps_none_near": {"sample": True, "distance": 45.0, "desa": "Gelumbang", "kecamatan": "Gelumbang"},
    "venue_title": {"nomor": 3, "desa": "Gelumbang <Baru>", "sample": True},
    "tps_no_coordinates": {},
    "place_choices": {"query": "pagar dewa", "count": 13, "page": 1, "pages": 3,
                      "mine": "Kabupaten <Lahat>"},
    "place_not_found": {"query": "sukamakmur"},
    "location_prompt": {},
    "region_saved": {"desa": "Gelumbang", "kecamatan": "Gelumbang"},
    # A province deployment: the citizen's kabupaten/kota (docs/architecture.md, "Regions").
    "region_kabupaten": {"page": 1, "pages": 2},
    "region_province": {"page": 1, "pages": 2},
    "region_ask": {"title": "Pasangan calon <bupati>"},
    "region_ask_subscribe": {},
    "region_set": {"region": "Kota <Palembang>"},
    "region_which": {"regions": ["Kabupaten <Bogor>", "Kota Bogor"]},
    "region_not_loaded": {"title": "Pasangan calon bupati", "region": "Kabupaten <Lahat>",
                          "kpu": "KPU Kabupaten Lahat"},
    "btn_kabupaten_list": {},
    "btn_change_kabupaten": {},
    "btn_province_list": {},
    "btn_find_tps": {},
    "btn_share_location": {},
    "btn_change_region": {},
    "btn_save_region": {},
    "btn_prev": {},
    "btn_next": {},
    "btn_kecamatan_list": {},
    "btn_venue": {"nomor": 3, "desa": "Gelumbang"},
    "btn_place_desa": {"desa": "Pagar Dewa", "kecamatan": "Lubai Ulu", "kabupaten": "Kab. Muara Enim"},
    "btn_place_kecamatan": {"kecamatan": "Tanjung Agung", "kabupaten": "Kab. Muara Enim"},
    "btn_unsubscribe": {},
    "btn_subscribe": {},
    "btn_topic": {"label": "Hitung mundur", "on": True},
    "subscribed": {"topics": [{"id": "countdown", "label": "Hitung mundur",
                               "description": "hitung mundur <ke> hari H"}],
                   "daily_cap": 2, "quiet": "21:00-06:00"},
    "unsubscribed": {},
    "not_subscribed": {"phase": "before_voting"},
    # Answers to a button press (NOTICES): plain text, short.
    "topic_not_subscribed": {},
    "topic_last": {},
    "btn_home": {},
    "btn_back": {},
    "btn_menu": {},
    "btn_helpful_yes": {},
    "btn_helpful_no": {},
    "feedback_thanks": {},
    "btn_delete_yes": {},
    "btn_delete_no": {},
    "btn_open_private": {},
    "btn_lang_id": {},
    "btn_lang_en": {},
}

# Shown as a button press's answer (answerCallbackQuery): Telegram takes 200 characters.
NOTICES: frozenset[str] = frozenset({"topic_not_subscribed", "topic_last"})
NOTICE_MAX = 200
