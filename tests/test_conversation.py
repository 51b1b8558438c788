"""The conversation through the real Application, in-process (depth 1)."""

from __future__ import annotations

import asyncio
import html
import json
from datetime import UTC, datetime

from bot.faq.cascade import AnswerCascade
from bot.storage.campaigns import create_campaign
from bot.storage.questions import list_unanswered
from bot.storage.users import get_user
from tests.fakes.harness import Harness, buttons, first, texts


async def test_start_greets_in_indonesian_by_default_and_shows_menu(harness: Harness) -> None:
    calls = await harness.text("/start", user=harness.user(lang=None))
    sent = [c for c in calls if c.method == "sendMessage"]
    assert len(sent) == 1
    assert "Halo, Rina!" in sent[0].params["text"]
    assert "🗳 Hari pencoblosan" in buttons(sent[0])


async def test_start_in_english_for_english_telegram_users(harness: Harness) -> None:
    calls = await harness.text("/start", user=harness.user(lang="en-GB"))
    assert "Hello, Rina!" in texts(calls)[0]
    assert "🗳 On voting day" in buttons(first(calls, "sendMessage"))


async def test_user_name_is_escaped_in_html(harness: Harness) -> None:
    calls = await harness.text("/start", user=harness.user(first_name="<b>Evil</b> & co"))
    text = texts(calls)[0]
    assert "&lt;b&gt;Evil&lt;/b&gt; &amp; co" in text


async def test_deep_link_records_first_campaign_only(harness: Harness) -> None:
    db, now = harness.app.services.db, harness.clock.now()
    for code in ("sma_1-lembah", "other_code"):
        await create_campaign(db, code, code, 900, now)
    await harness.text("/start sma_1-lembah")          # their first update: brought in
    await harness.text("/start other_code")
    await harness.text("/start not_a_campaign")      # a code nobody created: ignored
    user = await get_user(harness.app.services.db, 501)
    assert user is not None and user.campaign == "sma_1-lembah"


async def test_invalid_deep_link_is_ignored_without_error(harness: Harness) -> None:
    calls = await harness.text("/start bad$code!" + "x" * 70)
    assert "Halo" in texts(calls)[0]
    user = await get_user(harness.app.services.db, 501)
    assert user is not None and user.campaign is None


async def test_menu_navigation_edits_in_place(harness: Harness) -> None:
    await harness.text("/menu")
    menu_message = harness.last_message_with_keyboard(501)
    calls = await harness.press_label("Hari pencoblosan")
    edits = [c for c in calls if c.method == "editMessageText"]
    assert len(edits) == 1 and edits[0].params["message_id"] == menu_message["message_id"]
    assert "Kapan hari pencoblosan?" in buttons(edits[0])
    calls = await harness.press_label("Kapan hari pencoblosan?")
    answer = first(calls, "editMessageText")
    assert "Rabu, 14 Maret 2029" in answer.params["text"]
    assert "08.00–14.00 WIB" in answer.params["text"]
    assert "Sumber:" in answer.params["text"]
    assert "⬅️ Kembali" in buttons(answer)
    calls = await harness.press_label("Kembali")
    assert "Kapan hari pencoblosan?" in buttons(first(calls, "editMessageText"))
    calls = await harness.press_label("Menu utama")
    assert "🪪 Hak pilih & daftar pemilih" in buttons(
        first(calls, "editMessageText"))
    assert all(c.method != "sendMessage" for c in calls)
    assert any(c.method == "answerCallbackQuery" for c in calls)


async def test_every_menu_button_fits_telegram_limits(harness: Harness) -> None:
    content = harness.app.services.content
    await harness.text("/menu")
    for topic_id in content.topics:
        calls = await harness.press(f"1:t:{topic_id}")
        edit = [c for c in calls if c.method == "editMessageText"]
        assert edit, f"topic {topic_id} did not open"
        for entry in content.entries_in(topic_id):
            calls = await harness.press(f"1:e:{entry.id}")
            # The emulator refuses what Telegram refuses (length, HTML, 64-byte data).
            assert [c.error for c in calls if c.error] == [], entry.id
            assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageText"], entry.id


async def test_stale_and_unknown_buttons_get_a_fresh_menu(harness: Harness) -> None:
    await harness.text("/menu")
    for data in ("0:t:hak_pilih", "1:e:entry_that_was_removed", "garbage", "1:t:nope"):
        calls = await harness.press(data)
        edit = [c for c in calls if c.method in ("editMessageText", "sendMessage")]
        assert "Menu ini sudah diperbarui" in edit[0].params["text"], data
        assert "🎒 Sebelum ke TPS" in buttons(edit[0])


async def test_free_text_question_is_answered_with_source(harness: Harness) -> None:
    calls = await harness.text("gmn cara nyoblos yg sah?")
    text = texts(calls)[0]
    assert text.startswith("<b>Cara mencoblos yang sah</b>")
    assert "Sumber:" in text and "harian-contoh.example" in text


async def test_english_question_is_answered_in_english(harness: Harness) -> None:
    calls = await harness.text("what should I bring to the polling station?")
    assert texts(calls)[0].startswith("<b>What should I bring to the TPS?</b>")


async def test_close_candidates_are_offered_as_buttons(harness: Harness) -> None:
    # The choices UI, from the keywords' tie (as before the answer model is trained; the
    # model's own choices: tests/faq/test_cascade.py).
    services = harness.app.services
    services.answers = AnswerCascade(services.matcher)
    calls = await harness.text("kpn jadwal resmi")
    sent = first(calls, "sendMessage")
    assert "belum yakin maksudnya" in sent.params["text"]
    labels = buttons(sent)
    assert "Kapan hari pencoblosan?" in labels and "Kapan hasil pilkada diumumkan?" in labels
    calls = await harness.press_label("Kapan hari pencoblosan?")
    assert "14 Maret 2029" in first(calls, "editMessageText").params["text"]


def keywords_only(harness: Harness) -> None:
    """Answers from the keywords, which know nothing of the sky: these tests are about what
    happens to an unanswered question, not about which questions go unanswered."""
    services = harness.app.services
    services.answers = AnswerCascade(services.matcher)


async def test_an_off_topic_question_is_declined_and_not_kept(harness: Harness) -> None:
    calls = await harness.text("kenapa langit berwarna biru")
    assert "di luar yang saya tangani" in texts(calls)[0]
    assert await list_unanswered(harness.app.services.db) == []


async def test_unknown_question_falls_back_and_is_stored_without_identity(harness: Harness) -> None:
    keywords_only(harness)
    calls = await harness.text("kenapa langit berwarna biru, telp saya 081234567890")
    assert "belum punya jawaban" in texts(calls)[0]
    stored = await list_unanswered(harness.app.services.db)
    assert len(stored) == 1
    assert "081234567890" not in stored[0].text and "[angka]" in stored[0].text
    columns = await harness.app.services.db.conn.execute_fetchall(
        "SELECT name FROM pragma_table_info('unanswered_questions')")
    # No user id; the asker's region is a kabupaten/kota code at most (for its officials).
    assert {row[0] for row in columns} == {"id", "text", "language", "asked_at", "entry_id",
                                           "region"}
    async with harness.app.services.db.conn.execute(
            "SELECT region FROM unanswered_questions") as cur:
        assert [row[0] for row in await cur.fetchall()] == [None]   # this asker chose none


async def test_unanswered_questions_expire_after_90_days(harness: Harness) -> None:
    from bot.retention import run_retention

    keywords_only(harness)
    await harness.text("kenapa langit berwarna biru")
    harness.clock.set(datetime(2029, 6, 1, tzinfo=UTC))
    await harness.text("berapa banyak bintang di langit")
    services = harness.app.services
    assert services.settings.question_retention_days == 90
    task = asyncio.create_task(run_retention(services, every=0.01))   # as post_init runs it
    try:
        for _ in range(200):
            stored = await list_unanswered(services.db)
            if len(stored) == 1:
                break
            await asyncio.sleep(0.01)
    finally:
        task.cancel()
    assert [q.text for q in stored] == ["berapa banyak bintang di langit"]


async def test_nik_in_a_question_gets_a_privacy_warning(harness: Harness) -> None:
    calls = await harness.text("cek dpt nik saya 1603012345678901")
    assert "Jangan bagikan NIK" in texts(calls)[0]


async def test_language_switch_is_saved_and_used(harness: Harness) -> None:
    await harness.text("/bahasa")
    calls = await harness.press_label("English")
    assert "Language set to English" in first(calls, "editMessageText").params["text"]
    chat_commands = [c for c in calls if c.method == "setMyCommands"]
    assert chat_commands and json.loads(json.dumps(chat_commands[0].params["scope"]))["type"] == "chat"
    calls = await harness.text("/menu")
    assert "Pick a topic" in texts(calls)[0]
    user = await get_user(harness.app.services.db, 501)
    assert user is not None and user.language == "en" and user.language_set
    # An Indonesian Telegram client no longer overrides the explicit choice.
    calls = await harness.text("/help", user=harness.user(lang="id"))
    assert "How to use Suara" in texts(calls)[0]


async def test_the_language_typed_in_becomes_the_users_unless_they_chose_one(harness: Harness) -> None:
    # An Indonesian on an English phone: the answer, then the menus and buttons, in Indonesian.
    english_phone = harness.user(user_id=601, lang="en")
    await harness.text("kapan hari pencoblosan pilkada?", user=english_phone)
    assert "Pilih topik" in texts(await harness.text("/menu", user=english_phone))[0]
    user = await get_user(harness.app.services.db, 601)
    assert user is not None and user.language == "id" and not user.language_chosen
    # Telegram's language no longer overrides it; typing English switches back.
    assert "Pilih topik" in texts(await harness.text("/menu", user=english_phone))[0]
    await harness.text("when is voting day?", user=english_phone)
    assert "Pick a topic" in texts(await harness.text("/menu", user=english_phone))[0]
    # A language chosen with /bahasa stands: the answer follows what is typed, the menus do not.
    await harness.text("/bahasa")
    await harness.press_label("English")
    await harness.text("kapan hari pencoblosan pilkada?")
    assert "Pick a topic" in texts(await harness.text("/menu"))[0]


async def test_language_alias_command(harness: Harness) -> None:
    calls = await harness.text("/language")
    assert "English" in " ".join(buttons(first(calls, "sendMessage")))


async def test_countdown_before_during_and_after_voting_day(harness: Harness) -> None:
    calls = await harness.text("/hitungmundur")
    assert "14 hari lagi" in texts(calls)[0]
    harness.clock.set(datetime(2029, 3, 13, 11, 0, tzinfo=UTC))  # 18:00 WIB, eve of voting
    assert "14 jam lagi" in texts(await harness.text("/countdown"))[0]
    harness.clock.set(datetime(2029, 3, 14, 3, 0, tzinfo=UTC))  # 10:00 WIB on voting day
    assert "TPS buka sekarang sampai pukul 14.00" in texts(await harness.text("/hitungmundur"))[0]
    harness.clock.set(datetime(2029, 3, 14, 7, 30, tzinfo=UTC))  # 14:30 WIB
    assert "sudah ditutup" in texts(await harness.text("/hitungmundur"))[0]
    harness.clock.set(datetime(2029, 3, 18, 3, 0, tzinfo=UTC))
    text = texts(await harness.text("/hitungmundur"))[0]
    assert "4 hari lalu" in text and "Pengumuman hasil" in text
    harness.clock.set(datetime(2029, 6, 1, 3, 0, tzinfo=UTC))
    assert "belum ditetapkan" in texts(await harness.text("/hitungmundur"))[0]


async def test_delete_data_asks_then_deletes_everything(harness: Harness) -> None:
    await harness.text("/start campaign_x")
    calls = await harness.text("/hapusdata")
    assert "Hapus semua data" in texts(calls)[0]
    calls = await harness.press_label("Batal")
    assert "Tidak jadi" in first(calls, "editMessageText").params["text"]
    assert await get_user(harness.app.services.db, 501) is not None
    await harness.text("/hapusdata")
    calls = await harness.press_label("Ya, hapus")
    assert "sudah dihapus" in first(calls, "editMessageText").params["text"]
    assert await get_user(harness.app.services.db, 501) is None
    assert any(c.method == "deleteMyCommands" for c in calls)


async def test_privacy_says_what_is_kept_and_my_data_shows_all_of_it(harness: Harness) -> None:
    privacy = texts(await harness.text("/privasi"))[0]
    assert "90 hari" in privacy and "30 hari" in privacy and "/hapusdata" in privacy
    assert "NIK" in privacy
    english = texts(await harness.text("/privacy", user=harness.user(502, lang="en")))[0]
    assert "90 days" in english and "/deletedata" in english
    await create_campaign(harness.app.services.db, "kampanye_sma1", "SMA 1", 900,
                          harness.clock.now())
    await harness.text("/start kampanye_sma1")
    shown = html.unescape("\n".join(texts(await harness.text("/datasaya"))))
    assert '"users"' in shown and "kampanye_sma1" in shown and '"user_id": 501' in shown
    assert '"campaign_starts"' in shown
    assert "502" not in shown                       # nobody else's rows
    await harness.text("/hapusdata")
    await harness.press_label("Ya, hapus")
    # Deleted: the campaign is gone; writing again starts a fresh row (language, times) only.
    again = html.unescape("\n".join(texts(await harness.text("/datasaya"))))
    assert "kampanye_sma1" not in again and '"user_id": 501' in again


async def test_media_long_text_and_emoji_get_friendly_answers(harness: Harness) -> None:
    sticker = {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1,
               "height": 1, "is_animated": False, "is_video": False}
    assert "hanya bisa membaca pesan teks" in texts(await harness.media("sticker", sticker))[0]
    photo = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
    assert "hanya bisa membaca pesan teks" in texts(await harness.media("photo", photo))[0]
    voice = {"file_id": "v", "file_unique_id": "v", "duration": 2}
    assert "hanya bisa membaca pesan teks" in texts(await harness.media("voice", voice))[0]
    document = {"file_id": "d", "file_unique_id": "d"}
    assert "hanya bisa membaca pesan teks" in texts(await harness.media("document", document))[0]
    assert "terlalu panjang" in texts(await harness.text("tps " * 300))[0]
    assert "Ketik pertanyaanmu dengan kata-kata" in texts(await harness.text("🗳️👍🙏"))[0]


async def test_a_language_in_another_script_gets_the_languages_the_bot_reads(harness: Harness) -> None:
    """Arabic, Japanese, Thai, Cyrillic: not a question the model can read, so neither small
    talk nor a guess; the reply names the two languages. Latin words in it do not change that,
    and a greeting in Arabic script beside an Indonesian question is still the question."""
    for text in ("متى موعد الانتخابات؟", "選挙はいつですか", "เลือกตั้งวันไหน", "Когда выборы в KPU?"):
        reply = texts(await harness.text(text))[0]
        assert "hanya bisa membaca bahasa Indonesia dan bahasa Inggris" in reply, text
    assert "Jam buka TPS" in texts(await harness.text("السلام عليكم, jam brp tps buka min?"))[0]


async def test_edited_question_is_answered_again(harness: Harness) -> None:
    calls = await harness.text("jam brp tps buka", edited=True)
    assert "Jam buka TPS" in texts(calls)[0]


async def test_unknown_command_gets_help(harness: Harness) -> None:
    assert "Cara memakai Suara" in texts(await harness.text("/apaini"))[0]


async def test_groups_only_commands_and_mentions(harness: Harness) -> None:
    group = {"id": -100123, "type": "supergroup", "title": "Warga Gelumbang"}
    assert await harness.text("kapan tps buka", chat=group) == []
    calls = await harness.text("@suara_test_bot jam brp tps buka", chat=group)
    sent = [c for c in calls if c.method == "sendMessage"]
    assert "Jam buka TPS" in sent[0].params["text"]
    assert sent[0].params["chat_id"] == -100123
    assert "reply_parameters" in sent[0].params
    calls = await harness.text("/menu@suara_test_bot", chat=group)
    assert "Menu" in texts(calls)[0]
    assert await harness.text("/menu@another_bot", chat=group) == []
    # People who only chat in the group are not recorded.
    await harness.text("halo semua", chat=group, user=harness.user(user_id=777))
    assert await get_user(harness.app.services.db, 777) is None


async def test_bot_explains_itself_when_added_to_a_group(harness: Harness) -> None:
    group = {"id": -100456, "type": "group", "title": "Karang Taruna"}
    bot_user = harness.api.bot_user
    other = {"id": 888, "is_bot": False, "first_name": "Ani"}
    calls = await harness.text(None, chat=group, new_chat_members=[bot_user])
    assert "menyebut @suara_test_bot" in texts(calls)[0]
    assert await harness.text(None, chat=group, new_chat_members=[other]) == []


async def test_command_menu_registered_in_both_languages(harness: Harness) -> None:
    commands = harness.api.commands
    assert {"id", "en", ""} <= set(commands)
    assert "hitungmundur" in [c["command"] for c in commands["id"]]
    assert "countdown" in [c["command"] for c in commands["en"]]


async def test_sources_command_lists_sources(harness: Harness) -> None:
    text = texts(await harness.text("/sumber"))[0]
    assert "Sumber informasi" in text and text.count("<a href=") == 3  # the fixture cites three


async def test_a_long_rambling_question_is_not_echoed_as_a_place(harness: Harness) -> None:
    text = ("halo min saya mau tanya soalnya bingung kemarin tetangga di desa saya bilang tps "
            "kami dipindah dan saya belum dapat surat apa-apa jadi gimana ya")
    reply = texts(await harness.text(text))[0]
    assert "tidak menemukan desa" not in reply and "kemarin tetangga" not in reply


async def test_was_this_helpful_counts_and_keeps_a_no_with_its_entry(harness: Harness) -> None:
    from bot.storage.questions import feedback_counts

    db = harness.app.services.db
    calls = await harness.text("gmn cara nyoblos yg sah? hp saya 081234567890")
    assert {"👍 Membantu", "👎 Kurang membantu"} <= set(buttons(first(calls, "sendMessage")))
    calls = await harness.press_label("Kurang membantu")
    assert "Terima kasih" in first(calls, "answerCallbackQuery").params["text"]
    edited = first(calls, "editMessageReplyMarkup")
    assert "👍 Membantu" not in buttons(edited)                # one vote per answer
    stored = await list_unanswered(db)
    assert [(q.entry_id, "[angka]" in q.text, "081234567890" in q.text) for q in stored] == [
        ("cara_mencoblos", True, False)]
    # A second press of the same answer's old button records nothing more.
    holder = harness.api.messages[max(k for k in harness.api.messages if k[0] == 501)]
    await harness.press("1:f:n:cara_mencoblos", message=holder)
    assert len(await list_unanswered(db)) == 1
    await harness.text("jam berapa tps buka dan tutupnya?")
    await harness.press_label("Membantu")
    assert await feedback_counts(db) == {"cara_mencoblos": (0, 1), "jam_tps": (1, 0)}


async def test_another_places_results_are_out_of_scope_but_procedure_is_not(harness: Harness) -> None:
    assert "di luar yang saya tangani" in texts(await harness.text("siapa pemenang pilkada jakarta"))[0]
    assert "outside what I cover" in texts(await harness.text("who won the election in america?"))[0]
    how = texts(await harness.text("gmn cara nyoblos yg sah di jakarta?"))[0]
    assert how.startswith("<b>Cara mencoblos yang sah</b>")
    # Another place named in the asker's own story, or beside this deployment's own place.
    for question in ("saya kuliah di jakarta, kapan tps buka?",
                     "saya di jakarta, kapan tps lembah contoh buka?"):
        assert "di luar yang saya tangani" not in texts(await harness.text(question))[0]


async def test_other_services_are_out_of_scope_unless_about_voting(harness: Harness) -> None:
    assert "di luar yang saya tangani" in texts(await harness.text("resep rendang padang yang enak"))[0]
    assert "di luar" not in texts(await harness.text("berapa gaji kpps di tps"))[0]
    reply = texts(await harness.text("belum punya ktp baru, masih bisa milih?"))[0]
    assert "di luar yang saya tangani" not in reply
