"""A region typed in reply to the bot's "where do you vote?" answers it as the list would:
/langganan's (saved, then subscribed) and /wilayah's (saved, then its kecamatan, a reply's
verbs allowed), for a bounded time, whichever process receives the reply (tests/fixtures/
province, through the real Application)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.content.registry import Content
from bot.regions.waiting import PLACE_WAIT
from bot.storage.subscriptions import get_subscription
from bot.storage.users import get_user
from tests.conftest import database_env
from tests.fakes.harness import Harness, buttons, offline_bot, texts
from tests.test_province import BUKIT

SAVED = "disimpan sebagai daerahmu"
SUBSCRIBED = "Kamu berlangganan"


@pytest.fixture
async def bot(tmp_path: Path, province: Content) -> AsyncIterator[Harness]:
    async with offline_bot(tmp_path, province) as harness:
        yield harness


async def region(bot: Harness, user_id: int) -> str | None:
    user = await get_user(bot.app.services.db, user_id)
    return user.region_code if user is not None else None


async def subscribed(bot: Harness, user_id: int) -> bool:
    sub = await get_subscription(bot.app.services.db, user_id)
    return sub is not None and sub.active


def later(bot: Harness, by: timedelta) -> None:
    clock = bot.app.services.clock
    assert isinstance(clock, FixedClock)
    clock.advance(by)


@pytest.mark.parametrize(("reply", "code"), [
    ("kota contoh raya", "98.71"), ("saya di rawa contoh", "98.02"), ("kcr", "98.71"),
    ("nyoblos di bukit contoh", "98.01")])
async def test_a_region_typed_after_langganan_subscribes(bot: Harness, reply: str, code: str) -> None:
    user = bot.user(801)
    asked = await bot.text("/langganan", user=user)
    said = "\n".join(texts(await bot.text(reply, user=user)))
    assert SAVED in said and SUBSCRIBED in said, said
    assert "pilih kecamatanmu" not in said, said            # as the button: subscribed, no picker
    assert await region(bot, 801) == code and await subscribed(bot, 801)
    # Answered: the same words again are no second answer.
    again = "\n".join(texts(await bot.text(reply, user=user)))
    assert SUBSCRIBED not in again, again
    assert "ketik" in texts(asked)[-1], texts(asked)        # the prompt invites typing


async def test_a_question_after_langganan_is_answered_and_subscribes_nobody(bot: Harness) -> None:
    user = bot.user(802)
    await bot.text("/langganan", user=user)
    said = "\n".join(texts(await bot.text("siapa calon bupati bukit contoh?", user=user)))
    assert BUKIT in said and SUBSCRIBED not in said, said
    assert not await subscribed(bot, 802) and await region(bot, 802) is None


async def test_a_region_typed_long_after_langganan_does_not_subscribe(bot: Harness) -> None:
    user = bot.user(803)
    await bot.text("/langganan", user=user)
    later(bot, PLACE_WAIT + timedelta(seconds=1))
    said = "\n".join(texts(await bot.text("kota contoh raya", user=user)))
    assert SUBSCRIBED not in said, said                     # consent is recent, or a press
    assert not await subscribed(bot, 803)


async def test_a_region_typed_after_other_messages_does_not_subscribe(bot: Harness) -> None:
    """/langganan's question passed over (a question asked instead): a place named a minute
    later is said for itself, never consent to a subscription."""
    user = bot.user(809)
    await bot.text("/langganan", user=user)
    await bot.text("siapa calon bupati bukit contoh?", user=user)
    later(bot, timedelta(minutes=1))
    said = "\n".join(texts(await bot.text("kota contoh raya", user=user)))
    assert SUBSCRIBED not in said, said
    assert not await subscribed(bot, 809)


async def test_a_question_after_wilayah_passed_over_moves_nobody(bot: Harness) -> None:
    """/wilayah shown, a question asked instead; "nyoblos di <place>" minutes later is a
    question again (8e28f9c), not the reply: the saved region stays."""
    user = bot.user(810)
    await bot.text("/wilayah", user=user)
    await bot.press_label("Bukit Contoh", user=user)
    await bot.text("/wilayah", user=user)                   # its kecamatan; nothing waits
    await bot.text("siapa calon bupati bukit contoh?", user=user)
    later(bot, timedelta(minutes=5))
    said = "\n".join(texts(await bot.text("nyoblos di kota contoh raya", user=user)))
    assert SAVED not in said, said
    assert await region(bot, 810) == "98.01"


@pytest.mark.parametrize(("reply", "code", "kecamatan"), [
    ("nyoblos di kota contoh raya", "98.71", "Ilir Kota"), ("milih di rawa contoh", "98.02", "Rawa Hilir"),
    ("kota contoh raya?", "98.71", "Ilir Kota"), ("I vote in Kota Contoh Raya", "98.71", "Ilir Kota")])
async def test_a_reply_to_wilayah_with_its_verbs_picks_the_region(
        bot: Harness, reply: str, code: str, kecamatan: str) -> None:
    user = bot.user(804)
    await bot.text("/wilayah", user=user)
    calls = await bot.text(reply, user=user)
    said = "\n".join(texts(calls))
    assert "kecamatan" in said.lower() and kecamatan in buttons(calls[-1]), said
    assert await region(bot, 804) == code


async def test_wilayah_waits_for_a_bounded_time(bot: Harness) -> None:
    user = bot.user(805)
    await bot.text("/wilayah", user=user)
    later(bot, PLACE_WAIT + timedelta(seconds=1))
    said = "\n".join(texts(await bot.text("nyoblos di kota contoh raya", user=user)))
    assert SAVED not in said, said                          # a question again
    assert await region(bot, 805) is None


async def test_wilayah_answered_waits_no_more(bot: Harness) -> None:
    user = bot.user(806)
    await bot.text("/wilayah", user=user)
    await bot.text("kota contoh raya", user=user)
    assert await region(bot, 806) == "98.71"
    said = "\n".join(texts(await bot.text("nyoblos di bukit contoh", user=user)))
    assert SAVED not in said, said
    assert await region(bot, 806) == "98.71"


@pytest.mark.parametrize("database", ["sqlite", "postgres"], indirect=True)
async def test_langganan_is_answered_by_another_process(
        tmp_path: Path, province: Content, database: str) -> None:
    """Asked on one process; the typed region reaches another (or the bot restarted)."""
    env = database_env(database)
    async with offline_bot(tmp_path / "a", province, **env) as first:
        asked = await first.text("/langganan", user=first.user(807))
        assert "Kamu memilih di mana" in texts(asked)[-1]
    async with offline_bot(tmp_path / "b", province, **env) as second:
        second.api._update_ids = itertools.count(1000)   # Telegram's ids go on across processes
        said = "\n".join(texts(await second.text("kota contoh raya", user=second.user(807))))
        assert SAVED in said and SUBSCRIBED in said, said
        assert await subscribed(second, 807)


async def test_a_twin_name_typed_after_langganan_offers_both_then_subscribes(tmp_path: Path) -> None:
    """A name both a kabupaten's and a kota's (tests/fixtures/twin): both offered, as buttons
    that save the one picked and subscribe."""
    from bot.content.registry import load_content
    from tests.test_twin_regions import KOTA, TWIN

    async with offline_bot(tmp_path, load_content(TWIN)) as twin:
        user = twin.user(808)
        await twin.text("/langganan", user=user)
        calls = await twin.text("tanjung kembar", user=user)
        assert {"Kabupaten Tanjung Kembar", "Kota Tanjung Kembar"} <= set(buttons(calls[-1]))
        assert not await subscribed(twin, 808)
        done = "\n".join(texts(await twin.press_label("Kota Tanjung Kembar", user=user)))
        assert SUBSCRIBED in done, done
        assert await region(twin, 808) == KOTA and await subscribed(twin, 808)


async def test_wilayah_again_soon_writes_no_new_wait(bot: Harness, monkeypatch: pytest.MonkeyPatch
                                                     ) -> None:
    # Each wait written is a transaction and a notice to every process: /wilayah shown again
    # within half its time keeps the wait it has; later, it is renewed.
    from bot.regions import waiting
    writes: list[str | None] = []
    real = waiting.set_waiting

    async def counted(db: object, user_id: int, entry: str | None, until: str | None = None
                      ) -> None:
        writes.append(entry)
        await real(db, user_id, entry, until)    # type: ignore[arg-type]
    monkeypatch.setattr(waiting, "set_waiting", counted)
    user = bot.user(807)
    await bot.text("/wilayah", user=user)
    await bot.text("/wilayah", user=user)
    assert len(writes) == 1
    later(bot, PLACE_WAIT / 2 + timedelta(seconds=1))
    await bot.text("/wilayah", user=user)
    assert len(writes) == 2
    await bot.text("nyoblos di kota contoh raya", user=user)       # still the reply
    assert await region(bot, 807) == "98.71"



async def test_a_question_after_wilayah_with_a_saved_region_moves_nothing(bot: Harness) -> None:
    """A citizen whose region is saved: /wilayah waits for nothing, so "nyoblos di <place>"
    sent next is a question (that place's kecamatan, to find a TPS there), not a new region."""
    user = bot.user(811)
    await bot.text("/wilayah", user=user)
    await bot.press_label("Bukit Contoh", user=user)
    await bot.text("/wilayah", user=user)
    asked = await bot.text("nyoblos di kota contoh raya", user=user)
    said = "\n".join(texts(asked))
    assert SAVED not in said and "Ilir Kota" in buttons(asked[-1]), said
    assert "Kota Contoh Raya" in said, said       # whose kecamatan these are
    assert await region(bot, 811) == "98.01"


async def test_wilayah_shows_the_saved_region_and_changes_it_on_request(bot: Harness) -> None:
    """/wilayah names the saved region, with a button to change it; after that press a reply
    with its verbs is the new region; a place said alone is one without asking."""
    user = bot.user(812)
    await bot.text("/wilayah", user=user)
    await bot.press_label("Bukit Contoh", user=user)
    shown = await bot.text("/wilayah", user=user)
    said = "\n".join(texts(shown))
    assert "Daerahmu" in said and "Bukit Contoh" in said and "pilih kecamatanmu" in said, said
    assert any("Ganti" in b for b in buttons(shown[-1])), buttons(shown[-1])
    listed = await bot.press_label("Ganti", user=user)
    assert "Kota Contoh Raya" in buttons(listed[-1]), buttons(listed[-1])
    said = "\n".join(texts(await bot.text("nyoblos di kota contoh raya", user=user)))
    assert SAVED in said, said
    assert await region(bot, 812) == "98.71"
    await bot.text("/wilayah", user=user)
    said = "\n".join(texts(await bot.text("saya di rawa contoh", user=user)))
    assert SAVED in said, said
    assert await region(bot, 812) == "98.02"
