"""Officials by region (issue 20, item 4) through the real Application on the fixture province
(tests/fixtures/province): a role scoped to one kabupaten/kota announces to, counts and reads
the questions of that region only; provincial roles see everything, broken down by region;
under the two-person rule the approver's region must cover the whole audience."""

from __future__ import annotations

import csv
import io
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from pathlib import Path

from bot.callbacks import Callback
from bot.clock import FixedClock
from bot.content.registry import Content
from bot.officials.roles import within
from bot.storage.broadcast_lists import list_broadcasts
from bot.storage.broadcasts import get_broadcast
from bot.storage.campaigns import list_campaigns
from bot.storage.officials import get_approval, pending_for_broadcast
from bot.storage.users import set_region
from tests.broadcasts.conftest import ScriptedSender, eventually
from tests.conftest import FIXTURE_CONTENT
from tests.fakes.harness import Harness, buttons, texts
from tests.fakes.officials import SUPER, approve, asked, draft_id, regional_bot, request
from tests.fakes.subscribers import subscribe_through

PROVINCE = FIXTURE_CONTENT.parent / "province"
BUKIT_ANNOUNCER, KOTA_ANNOUNCER, BUKIT_SECOND, PROVINCIAL, KOTA_VIEWER = 911, 912, 913, 914, 915
# Subscribers: of Kabupaten Bukit Contoh (98.01: one chose only the regency, one a desa), of
# Kota Contoh Raya (98.71), and one who chose no region.
CITIZENS = {801: "98.01", 802: "98.01.01.2001", 803: "98.71", 804: "98.71.02.1001", 805: None}
BUKIT, KOTA = {801, 802}, {803, 804}
TEXT = "Rapat warga Bukit Contoh besok"


def running(tmp_path: Path, province: Content, **settings: str
            ) -> AbstractAsyncContextManager[tuple[Harness, ScriptedSender]]:
    return regional_bot(tmp_path, province, CITIZENS, **settings)


async def grant(h: Harness, who: int, region: str = "") -> str:
    said = await h.text(f"/petugas tambah {who} pengumum {region}".strip(), user=h.user(SUPER))
    return texts(said, "sendMessage")[-1]


def kecamatan_index(h: Harness, name: str) -> int:
    return next(i for i, k in enumerate(h.app.services.regions.kecamatan) if k.name == name)


async def test_a_regional_announcer_reaches_only_their_regions_subscribers(
        tmp_path: Path, province: Content) -> None:
    async with running(tmp_path, province) as (h, sender):
        said = await grant(h, BUKIT_ANNOUNCER, "bukit contoh")       # typed by name
        assert "pengumum (announcer) untuk Kabupaten Bukit Contoh" in said
        listed = await h.text("/petugas", user=h.user(SUPER))
        assert f"{BUKIT_ANNOUNCER}</code>: pengumum (announcer) — Kabupaten Bukit Contoh" in \
            listed[-1].params["text"]
        user = h.user(BUKIT_ANNOUNCER)
        await h.text("/umumkan", user=user)
        options = await h.text(TEXT, user=user)
        assert "wilayah Kabupaten Bukit Contoh (98.01)" in options[-1].params["text"]
        places = buttons((await h.press_label("Wilayah", user=user))[-1])
        assert "Seluruh Kabupaten Bukit Contoh" in places and "Sungai Jernih" in places
        assert "Ilir Kota" not in places and not any("Provinsi" in p for p in places)
        # A forged button naming another region's kecamatan changes nothing.
        forged = Callback("A", f"{draft_id(h, BUKIT_ANNOUNCER)}:K{kecamatan_index(h, 'Ilir Kota')}")
        first_screen = min((m for (cid, _), m in h.api.messages.items()
                            if cid == BUKIT_ANNOUNCER and m.get("reply_markup")),
                           key=lambda m: m["message_id"])
        refused = await h.press(forged.encode(), message=first_screen, user=user)
        assert "kedaluwarsa" in texts(refused)[-1]
        assert h.app.bot_data["drafts"].last_seen(BUKIT_ANNOUNCER).region == "98.01"
        await h.press_label("Seluruh Kabupaten Bukit Contoh", user=user)
        summary = await h.press_label("Pratinjau", user=user)
        assert "Penerima:</b> 2" in summary[-1].params["text"]
        await h.press_label("Kirim", user=user)
        [b] = await list_broadcasts(h.app.services.db)
        assert b.region == "98.01"
        assert h.app.services.engine is not None
        h.app.services.engine.poke()
        await eventually(lambda: _state(h, b.id, "done"), what="sent")
        assert {p["chat_id"] for p in sender.payloads if p["text"] == TEXT} == BUKIT


async def test_a_provincial_announcer_targets_a_kabupaten_then_its_kecamatan(
        tmp_path: Path, province: Content) -> None:
    async with running(tmp_path, province) as (h, _):
        user = h.user(SUPER)
        await h.text("/umumkan", user=user)
        await h.text(TEXT, user=user)
        places = buttons((await h.press_label("Wilayah", user=user))[-1])
        assert "Seluruh Provinsi Contoh Raya" in places and "Kota Contoh Raya" in places
        chosen = await h.press_label("Kota Contoh Raya", user=user)
        assert {"✅ Seluruh Kota Contoh Raya", "Ilir Kota", "Ulu Kota"} <= set(buttons(chosen[-1]))
        assert "Sungai Jernih" not in buttons(chosen[-1])
        await h.press_label("Seluruh Kota Contoh Raya", user=user)
        summary = await h.press_label("Pratinjau", user=user)
        assert "Kota Contoh Raya (98.71)" in summary[-1].params["text"]
        assert "Penerima:</b> 2" in summary[-1].params["text"]
        await h.press_label("Ubah", user=user)
        await h.press_label("Wilayah", user=user)
        await h.press_label("Seluruh Provinsi", user=user)
        summary = await h.press_label("Pratinjau", user=user)
        assert "Penerima:</b> 5" in summary[-1].params["text"]


async def test_a_regional_viewer_sees_their_regions_statistics_and_questions(
        tmp_path: Path, province: Content) -> None:
    async with running(tmp_path, province) as (h, _):
        # Picked by forwarding one of the person's messages: the role, then the region.
        person = {"id": KOTA_VIEWER, "is_bot": False, "first_name": "Pemantau Kota"}
        await h.text("/petugas", user=h.user(SUPER))
        await h.text("halo", user=h.user(SUPER),
                     forward_origin={"type": "user", "sender_user": person, "date": 1700000000})
        offered = await h.press_label("pemantau", user=h.user(SUPER))
        assert {"Seluruh Provinsi Contoh Raya", "Kota Contoh Raya"} <= set(buttons(offered[-1]))
        given = await h.press_label("Kota Contoh Raya", user=h.user(SUPER))
        assert "pemantau (viewer) — Kota Contoh Raya" in texts(given)[-1]
        for uid, question in ((801, "qwerty zxcvb asdfgh"), (803, "lorem ipsum dolor sitamet"),
                              (805, "plokij uhygtf rdeswa")):
            await h.text("kapan hari pencoblosan?", user=h.user(uid))
            await h.text(question, user=h.user(uid))
        await h.app.services.stats.flush()

        viewer = h.user(KOTA_VIEWER)
        listed = (await h.text("/pertanyaan", user=viewer))[-1].params["text"]
        assert "di Kota Contoh Raya (1 pertanyaan" in listed and "lorem ipsum" in listed
        assert "qwerty" not in listed and "plokij" not in listed
        [photo] = [c for c in await h.text("/statistik", user=viewer) if c.method == "sendPhoto"]
        caption = photo.params["caption"]
        assert "Statistik Kota Contoh Raya" in caption
        assert "Pelanggan aktif: <b>2</b>" in caption and "Pertanyaan: 2 " in caption
        assert "Per wilayah" not in caption
        assert "lorem ipsum" in caption and "qwerty" not in caption and "plokij" not in caption

        # The region's viewer marks their group handled: for their region, not the province.
        marked = await h.press_label("1 ✅", user=viewer)
        assert "lorem ipsum" not in marked[-1].params["text"]
        everything = (await h.text("/pertanyaan", user=h.user(SUPER)))[-1].params["text"]
        assert all(q in everything for q in ("qwerty", "lorem ipsum", "plokij"))
        assert "3 kelompok terbuka" in everything and "✅ ditangani\n" not in everything
        [photo] = [c for c in await h.text("/statistik", user=h.user(SUPER))
                   if c.method == "sendPhoto"]
        caption = photo.params["caption"]
        assert "Pelanggan aktif: <b>5</b>" in caption and "Pertanyaan: 6 " in caption
        assert "Kabupaten Bukit Contoh 2/2" in caption and "Kota Contoh Raya 2/2" in caption
        assert "belum memilih wilayah 1/2" in caption
        exported = await h.text("/statistik csv", user=h.user(SUPER))
        [doc] = [c for c in exported if c.method == "sendDocument"]
        rows = list(csv.DictReader(io.StringIO(doc.params["_files"]["document"][1].decode())))
        value = {(r["section"], r["key"]): r["value"] for r in rows}
        assert value[("subscribers_by_region", "Kota Contoh Raya")] == "2"
        assert value[("questions_by_region", "Kabupaten Bukit Contoh")] == "2"


async def test_only_super_admins_see_which_official_made_a_broadcast(
        tmp_path: Path, province: Content) -> None:
    """A viewer's /statistik (and its CSV) says "petugas", not another official's Telegram id."""
    async with running(tmp_path, province) as (h, _):
        await grant(h, BUKIT_ANNOUNCER, "98.01")
        await h.text(f"/petugas tambah {KOTA_VIEWER} pemantau 98.01", user=h.user(SUPER))
        announcer = h.user(BUKIT_ANNOUNCER)
        await h.text("/umumkan", user=announcer)
        await h.text(TEXT, user=announcer)
        await h.press_label("Pratinjau", user=announcer)
        await h.press_label("Kirim", user=announcer)
        for who, shown in ((KOTA_VIEWER, "petugas"), (SUPER, f"tg:{BUKIT_ANNOUNCER}")):
            [photo] = [c for c in await h.text("/statistik", user=h.user(who))
                       if c.method == "sendPhoto"]
            caption = photo.params["caption"]
            assert "Pengumuman #1 (" in caption and f", {shown}): terkirim" in caption, caption
            [doc] = [c for c in await h.text("/statistik csv", user=h.user(who))
                     if c.method == "sendDocument"]
            exported = doc.params["_files"]["document"][1].decode()
            if who == KOTA_VIEWER:
                assert "tg:" not in caption and "tg:" not in exported
            rows = list(csv.DictReader(io.StringIO(exported)))
            keys = {r["key"] for r in rows if r["section"] == "broadcast"}
            assert keys and all(k.endswith(f" {shown}") for k in keys), keys


async def test_the_approver_must_cover_the_whole_audience(tmp_path: Path,
                                                          province: Content) -> None:
    async with running(tmp_path, province, APPROVAL_THRESHOLD="1") as (h, _):
        await grant(h, BUKIT_ANNOUNCER, "98.01")
        await grant(h, BUKIT_SECOND, "98.01")
        await grant(h, KOTA_ANNOUNCER, "98.71")
        await grant(h, PROVINCIAL)
        db = h.app.services.db

        # The provincial announcer's announcement to the whole province: only a provincial
        # official may approve it; a regional one's press changes nothing.
        first = await request(h, PROVINCIAL)
        assert asked(h, first) == {SUPER}
        await approve(h, first, BUKIT_ANNOUNCER)
        approval = await get_approval(db, first)
        assert approval is not None and approval.state == "pending"

        # A regional announcement: that region's other announcer and the provincial ones, never
        # another region's.
        second = await request(h, BUKIT_ANNOUNCER, region="Seluruh Kabupaten Bukit Contoh")
        assert asked(h, second) == {SUPER, BUKIT_SECOND, PROVINCIAL}
        outside = await approve(h, second, KOTA_ANNOUNCER)
        assert any("Di luar wilayah" in str(c.params) for c in outside)
        approval = await get_approval(db, second)
        assert approval is not None and approval.state == "pending"
        await approve(h, second, BUKIT_SECOND)
        approval = await get_approval(db, second)
        assert approval is not None and approval.state == "approved"
        assert approval.broadcast_id is not None
        b = await get_broadcast(db, approval.broadcast_id)
        assert b is not None and b.region == "98.01" and b.approved_by == f"tg:{BUKIT_SECOND}"

        # A provincial official approves the provincial one.
        await approve(h, first, SUPER)
        approval = await get_approval(db, first)
        assert approval is not None and approval.state == "approved"


async def _state(h: Harness, broadcast_id: int, state: str) -> bool:
    b = await get_broadcast(h.app.services.db, broadcast_id)
    return b is not None and b.state == state


def test_an_audience_lies_within_a_scope_by_its_code() -> None:
    cases = [(None, None, True), ("98.01", None, True), ("98.01.01.2001", "98.01", True),
             ("98.01", "98.01", True), (None, "98.01", False), ("98.71", "98.01", False),
             ("98.011", "98.01", False)]
    assert [within(region, scope) for region, scope, _ in cases] == [c[2] for c in cases]


async def test_an_officials_regional_roles_share_one_region_and_are_audited(
        tmp_path: Path, province: Content) -> None:
    async with running(tmp_path, province) as (h, _):
        await grant(h, BUKIT_ANNOUNCER, "98.01")
        other = await h.text(f"/petugas tambah {BUKIT_ANNOUNCER} pemantau kota contoh raya",
                             user=h.user(SUPER))
        assert "sudah bertugas untuk Kabupaten Bukit Contoh" in texts(other, "sendMessage")[-1]
        assert h.app.services.roles.regions_of(BUKIT_ANNOUNCER) == {"announcer": "98.01"}
        unknown = await h.text(f"/petugas tambah {BUKIT_ANNOUNCER} pemantau jakarta",
                               user=h.user(SUPER))
        assert "Wilayah tidak dikenal" in texts(unknown, "sendMessage")[-1]
        # The same role without a region: the whole province from now on.
        widened = await grant(h, BUKIT_ANNOUNCER)
        assert "untuk seluruh Provinsi Contoh Raya" in widened
        assert h.app.services.roles.scope(BUKIT_ANNOUNCER, "umumkan") is None
        log = texts(await h.text("/audit", user=h.user(SUPER)), "sendMessage")[-1]
        assert f"role.grant {BUKIT_ANNOUNCER} announcer 98.01" in log


async def test_a_regional_campaign_manager_makes_and_sees_their_regions_campaigns(
        tmp_path: Path, province: Content) -> None:
    async with running(tmp_path, province) as (h, _):
        manager, provincial = 921, 922
        await h.text(f"/petugas tambah {manager} kampanye 98.71", user=h.user(SUPER))
        await h.text(f"/petugas tambah {provincial} kampanye", user=h.user(SUPER))
        made = await h.text("/kampanye baru sma_kota SMA Kota", user=h.user(manager))
        assert "Kota Contoh Raya" in texts(made, "sendMessage")[0]
        await h.text("/kampanye baru sma_bukit SMA Bukit", user=h.user(provincial))
        campaigns = {c.code: c.region for c in await list_campaigns(h.app.services.db)}
        assert campaigns == {"sma_kota": "98.71", "sma_bukit": None}
        board = texts(await h.text("/kampanye", user=h.user(manager)), "sendMessage")[-1]
        assert "sma_kota" in board and "sma_bukit" not in board
        everything = texts(await h.text("/kampanye", user=h.user(provincial)), "sendMessage")[-1]
        assert "sma_kota" in everything and "sma_bukit" in everything


async def test_a_held_regional_announcement_asks_and_takes_only_covering_approvers(
        tmp_path: Path, province: Content) -> None:
    async with running(tmp_path, province, APPROVAL_THRESHOLD="1") as (h, sender):
        for who, region in ((BUKIT_ANNOUNCER, "98.01"), (BUKIT_SECOND, "98.01"),
                            (KOTA_ANNOUNCER, "98.71"), (PROVINCIAL, "")):
            await grant(h, who, region)
        user = h.user(BUKIT_ANNOUNCER)
        await h.text("/umumkan", user=user)
        await h.text(TEXT, user=user)
        await h.press_label("Wilayah", user=user)
        await h.press_label("Sungai Jernih", user=user)
        await h.press_label("Talang Satu", user=user)           # one subscriber there: 802
        await h.press_label("Jadwalkan", user=user)
        clock = h.app.services.clock
        assert isinstance(clock, FixedClock)
        at = clock.now().astimezone(h.app.services.settings.tz) + timedelta(minutes=2)
        await h.text(at.strftime("%Y-%m-%d %H:%M"), user=user)
        summary = await h.press_label("Pratinjau", user=user)
        assert "Penerima:</b> 1" in summary[-1].params["text"]
        await h.press_label("Kirim", user=user)
        [b] = await list_broadcasts(h.app.services.db)
        await subscribe_through(h.app.services.db, [806], clock.now())   # the audience grows
        await set_region(h.app.services.db, 806, "98.01.01.2001")
        clock.advance(timedelta(minutes=3))
        assert h.app.services.engine is not None
        h.app.services.engine.poke()
        await eventually(lambda: _state(h, b.id, "held"), what="held")
        request_id = await pending_for_broadcast(h.app.services.db, b.id)
        assert request_id is not None
        await eventually(lambda: _asked_async(h, request_id, {SUPER, BUKIT_SECOND, PROVINCIAL}),
                         what="the covering officials asked")
        outside = await approve(h, request_id, KOTA_ANNOUNCER)
        assert any("Di luar wilayah" in str(c.params) for c in outside)
        assert await _state(h, b.id, "held")
        await approve(h, request_id, BUKIT_SECOND)
        await eventually(lambda: _state(h, b.id, "done"), what="sent")
        assert {p["chat_id"] for p in sender.payloads if p["text"] == TEXT} == {802, 806}


async def _asked_async(h: Harness, request_id: int, who: set[int]) -> bool:
    return asked(h, request_id) == who
