"""An announcement's list buttons made before a `content reload`, pressed after it, through
the real Application on a copy of the fixture province. Place buttons carry a position in the
region lists ("B<i>"): a kabupaten/kota the reload added before the others moved every
position, so a button named another place than its label; now the official is told the list
changed and gets it again, the draft unchanged. Topic buttons pick the topic they showed."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

from bot.content.registry import load_content
from bot.reload import reload_content
from tests.conftest import FIXTURE_PROVINCE
from tests.fakes.harness import Harness, buttons, offline_bot, texts

SUPER = 900


def pressed(h: Harness, message: dict[str, object], label: str) -> str:
    markup = message["reply_markup"]
    assert isinstance(markup, dict)
    [data] = [b["callback_data"] for row in markup["inline_keyboard"] for b in row
              if b["text"] == label]
    return str(data)


async def test_place_and_topic_buttons_from_before_a_reload(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    shutil.copytree(FIXTURE_PROVINCE, folder)
    async with offline_bot(tmp_path, load_content(folder), ADMIN_IDS=str(SUPER),
                           CONTENT_DIR=str(folder)) as h:
        user = h.user(SUPER)
        await h.text("/umumkan", user=user)
        await h.text("Rapat warga", user=user)
        await h.press_label("Wilayah", user=user)
        places = copy.deepcopy(h.last_message_with_keyboard(SUPER))   # as the client has it
        assert "Kota Contoh Raya" in buttons(places)
        await h.press_label("Kembali", user=user)
        await h.press_label("Topik", user=user)
        topics = copy.deepcopy(h.last_message_with_keyboard(SUPER))
        label = buttons(topics)[0]
        wanted = next(tid for tid, t in h.app.services.content.subscription_topics.items()
                      if (t.label.get("id") or tid) == label)
        await h.press_label("Kembali", user=user)

        # The reload: a regency sorting before the others, and the topics in another order.
        csv = folder / "regions" / "wilayah_raya.csv"
        csv.write_text(csv.read_text() + "98.03,Kabupaten Aaa Contoh,kabupaten_kota,98\n"
                       "98.03.01,Hulu Aaa,kecamatan,98.03\n"
                       "98.03.01.2001,Talang Aaa,desa_kelurahan,98.03.01\n")
        topics_file = folder / "subscription_topics.yaml"
        head, _, rest = topics_file.read_text().partition("countdown:")
        first, _, last = rest.partition("announcements:")      # announcements first now
        topics_file.write_text(f"{head}announcements:{last.rstrip()}\ncountdown:{first}")
        assert await reload_content(h.app)
        assert next(iter(h.app.services.content.subscription_topics)) != wanted

        drafts = h.app.bot_data["drafts"]
        out = await h.press(pressed(h, places, "Kota Contoh Raya"), message=places, user=user)
        assert drafts.last_seen(SUPER).region is None, drafts.last_seen(SUPER).region
        assert any("Daftar wilayah berubah" in t for t in texts(out)), texts(out)
        assert "Kabupaten Aaa Contoh" in buttons(h.last_message_with_keyboard(SUPER))
        await h.press(pressed(h, topics, label), message=topics, user=user)
        assert drafts.last_seen(SUPER).topic == wanted
