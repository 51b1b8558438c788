"""/datasaya and /hapusdata of an official, through the real Application: their approval
requests (made or decided), broadcasts and the audit entries by or about them are part of
their data; /hapusdata deletes what is theirs as a citizen but keeps those, the election
office's record, and says so."""

from __future__ import annotations

import html
import json
from pathlib import Path

from bot.content.registry import Content
from bot.storage.officials import recent_audit
from bot.storage.users import export_user, get_user
from tests.broadcasts.conftest import ScriptedSender
from tests.fakes.harness import offline_bot, texts
from tests.fakes.officials import approve
from tests.fakes.officials import request as ask_approval
from tests.fakes.subscribers import subscribe_through
from tests.officials.test_announce import ANNOUNCER, SUPER, clock

NEIGHBOUR = ANNOUNCER * 10      # 9010: an id that contains the announcer's


def shown(out: list[str]) -> dict[str, list[dict[str, object]]]:
    """The tables /datasaya sent, read back from its <pre> blocks."""
    dump = "".join(t.split("<pre>")[1].split("</pre>")[0] for t in out if "<pre>" in t)
    return json.loads(html.unescape(dump))


async def test_an_officials_data_includes_their_approvals_and_audit_entries(
        tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, sender=ScriptedSender(), ADMIN_IDS=str(SUPER),
                           APPROVAL_THRESHOLD="1", QUIET_HOURS="", DAILY_CAP="0") as h:
        db = h.app.services.db
        await subscribe_through(db, [7001, 7002], clock(h).now())
        await h.text(f"/petugas tambah {ANNOUNCER} pengumum", user=h.user(SUPER))
        await h.text(f"/petugas tambah {NEIGHBOUR} pemantau", user=h.user(SUPER))
        request_id = await ask_approval(h, ANNOUNCER, text="Rapat warga")
        await approve(h, request_id, SUPER)

        mine = shown(texts(await h.text("/datasaya", user=h.user(ANNOUNCER))))
        assert [r["id"] for r in mine["approvals"]] == [request_id], mine
        assert [r["created_by"] for r in mine["broadcasts"]] == [f"tg:{ANNOUNCER}"]
        actions = {r["action"] for r in mine["audit_log"]}
        # Their request, the broadcast made in their name, the role given to them, and the
        # approval naming them as requester.
        assert {"broadcast.request", "broadcast.create", "role.grant",
                "broadcast.approve"} <= actions, actions
        assert not any(str(NEIGHBOUR) in str(r["detail"]) for r in mine["audit_log"]), mine
        approver = shown(texts(await h.text("/datasaya", user=h.user(SUPER))))
        assert [r["decided_by"] for r in approver["approvals"]] == [SUPER]
        assert {"broadcast.approve", "role.grant"} <= {r["action"] for r in approver["audit_log"]}

        # /hapusdata: the official is told what stays, and it stays.
        confirm = texts(await h.text("/hapusdata", user=h.user(ANNOUNCER)))
        assert any("Sebagai petugas" in t and "catatan resmi" in t for t in confirm), confirm
        done = texts(await h.press("1:d:y", user=h.user(ANNOUNCER)))
        assert any("catatan resmi" in t for t in done), done
        assert await get_user(db, ANNOUNCER) is None
        kept = await export_user(db, ANNOUNCER)
        assert {"approvals", "broadcasts", "audit_log"} <= set(kept), set(kept)
        assert len(await recent_audit(db, 100)) >= len(kept["audit_log"])


async def test_a_citizen_is_not_told_about_official_records(tmp_path: Path,
                                                            content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        await h.text("/start", user=h.user(7001))
        out = texts(await h.text("/hapusdata", user=h.user(7001)))
        assert not any("Sebagai petugas" in t for t in out), out
        found = set(await export_user(h.app.services.db, 7001))
        assert "users" in found and not found & {"approvals", "broadcasts", "audit_log"}
