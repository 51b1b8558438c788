"""`python -m bot shell`: the real application in a terminal, against the offline Bot API.

Typed lines become Telegram messages from a simulated citizen; the bot's buttons are shown
numbered, and typing a number presses one.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from telegram import Update

from bot import PROJECT_ROOT
from bot.app import build_application, close_offline, open_offline
from bot.ids import parse_int
from bot.services import Services
from bot.settings import Settings
from bot.shell.botapi import Call, LocalBotApi, LocalRequest

LOCATION = re.compile(r"^(?:lokasi|location)\s+(-?\d+(?:\.\d+)?)[ ,]+(-?\d+(?:\.\d+)?)$", re.I)
SHELL_TOKEN = "1000000:SHELL-offline-token-not-used-for-anything"
USER_ID = 100001

BANNER = """Suara shell: the bot runs here with the bundled content, no token and no network.
Type as a citizen would ("gmn cara nyoblos yg sah?"). A number presses a button.
Commands: /menu /wilayah /hitungmundur /bahasa /sumber /hapusdata /help; /quit to leave.
"lokasi -3.66 103.77" shares a location.
"""


class Terminal:
    def __init__(self, color: bool) -> None:
        self.color = color
        self.buttons: list[tuple[int, int, str]] = []  # (chat_id, message_id, callback_data)

    def render(self, text: str) -> str:
        bold, italic, reset = ("\033[1m", "\033[3m", "\033[0m") if self.color else ("", "", "")
        text = re.sub(r'<a href="([^"]*)">(.*?)</a>', r"\2 (\1)", text, flags=re.S)
        text = re.sub(r"</?(b|strong)>", lambda m: reset if m.group(0)[1] == "/" else bold, text)
        text = re.sub(r"</?(i|em)>", lambda m: reset if m.group(0)[1] == "/" else italic, text)
        text = re.sub(r"</?[a-z-]+[^>]*>", "", text)
        return html.unescape(text)

    def on_call(self, call: Call, body: dict[str, Any]) -> None:
        if not body.get("ok"):
            print(f"!! Bot API refused {call.method}: {body.get('description')}")
            return
        if call.method in ("sendMessage", "editMessageText"):
            message = body["result"]
            prefix = "(updated) " if call.method == "editMessageText" else ""
            print(f"\n🤖 {prefix}{self.render(message['text'])}")
            self._show_keyboard(message)
        elif call.method == "answerCallbackQuery" and call.params.get("text"):
            print(f"🤖 ({call.params['text']})")
        elif call.method in ("sendPhoto", "sendDocument"):
            message = body["result"]
            upload = message.get("document") or message["photo"][-1]
            path = Path(tempfile.gettempdir()) / f"suara-{upload.get('file_name') or 'file'}"
            path.write_bytes(upload.get("_content") or b"")
            print(f"\n🤖 📎 {path} ({upload['file_size']} bytes)")
            if message.get("caption"):
                print(f"   {self.render(message['caption'])}")
            self._show_keyboard(message)
        elif call.method in ("sendVenue", "sendLocation"):
            loc = body["result"].get("location", {})
            print(f"\n🤖 📍 {loc.get('latitude')}, {loc.get('longitude')}")

    def _show_keyboard(self, message: dict[str, Any]) -> None:
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        if not rows:
            return
        self.buttons = []
        for row in rows:
            labels = []
            for button in row:
                if "callback_data" in button:
                    self.buttons.append((message["chat"]["id"], message["message_id"],
                                         button["callback_data"]))
                    labels.append(f"[{len(self.buttons)}] {button['text']}")
                elif "url" in button:
                    labels.append(f"{button['text']} ({button['url']})")
            print("   " + "   ".join(labels))


SAMPLE_TPS = PROJECT_ROOT / "tests" / "data" / "tps_sample.csv"


MODEL_WAIT_SECONDS = 120


async def _model_ready(services: Services) -> None:
    """Trained on the first run (read from the cache after), the answer model is what the bot
    answers with: a newcomer's first questions should not get the keywords' cruder guesses."""
    try:
        await asyncio.wait_for(services.model_ready.wait(), 1)
        return
    except TimeoutError:
        pass
    print("(preparing the answer model: about 15 seconds on the first run, a few after)",
          flush=True)
    try:
        await asyncio.wait_for(services.model_ready.wait(), MODEL_WAIT_SECONDS)
    except TimeoutError:
        print("(still training: the keywords answer until it is ready)", flush=True)


async def run_shell(settings: Settings, lang: str = "id", name: str = "Warga",
                    sample_tps: bool = False) -> int:
    api = LocalBotApi()
    terminal = Terminal(color=sys.stdout.isatty())
    request = LocalRequest(api, listener=terminal.on_call)
    app = build_application(settings, token=SHELL_TOKEN, request=request,
                            get_updates_request=request)
    user = {"id": USER_ID, "is_bot": False, "first_name": name, "language_code": lang}
    chat = {"id": USER_ID, "type": "private", "first_name": name}
    callback_ids = itertools.count(1)
    interactive = sys.stdin.isatty()

    async def send(payload: dict[str, Any]) -> None:
        update = Update.de_json(api.new_update(**payload), app.bot)
        await app.process_update(update)

    def message(text: str) -> dict[str, Any]:
        msg: dict[str, Any] = {"message_id": api.next_message_id(USER_ID), "date": int(time.time()),
                               "chat": chat, "from": user, "text": text}
        if text.startswith("/"):
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"message": msg}

    print(BANNER)
    if sample_tps:
        from bot.regions.cli import import_tps

        await import_tps(settings, app.services.content, app.services.regions, SAMPLE_TPS,
                         sample=True, dry_run=False)
    await open_offline(app)
    try:
        await _model_ready(app.services)
        await send(message("/start"))
        while True:
            if interactive:
                print("\n> ", end="", flush=True)
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line:
                break
            text = line.strip()
            if not text:
                continue
            if text in ("/quit", "/exit"):
                break
            if not interactive:
                print(f"\n> {text}")
            location = LOCATION.match(text)
            if location:
                lat, lon = float(location.group(1)), float(location.group(2))
                payload = message("")
                payload["message"].pop("text")
                payload["message"]["location"] = {"latitude": lat, "longitude": lon}
                await send(payload)
            elif (pressed := parse_int(text, 1, len(terminal.buttons))) is not None:
                chat_id, message_id, data = terminal.buttons[pressed - 1]
                held = api.messages.get((chat_id, message_id))
                if held is None:
                    print("(that message is gone)")
                    continue
                await send({"callback_query": {"id": str(next(callback_ids)), "from": user,
                                               "chat_instance": "shell", "data": data,
                                               "message": held}})
            else:
                await send(message(text))
    finally:
        await close_offline(app)
    return 0
