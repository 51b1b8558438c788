"""Per-user flood control: over FLOOD_LIMIT a minute, one notice, then silence for the
cool-down; nobody else slowed; officials exempt."""

from __future__ import annotations

from pathlib import Path

from bot.content.registry import Content
from bot.flood import FloodGate
from tests.fakes.harness import offline_bot, texts


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_gate_counts_any_sixty_seconds_and_forgets_after_the_cool_down() -> None:
    ticks = Ticks()
    gate = FloodGate(limit=3, cooldown=30, exempt=frozenset({9}), clock=ticks)
    assert [gate.check(1) for _ in range(3)] == ["pass"] * 3
    ticks.now = 59.0
    assert gate.check(1) == "notice"          # 4 within 59 s
    assert gate.check(1) == "drop" and gate.check(2) == "pass"
    ticks.now = 89.5                            # the cool-down is over: counted afresh
    assert gate.check(1) == "pass"
    # Spread out, never more than 3 in any 60 s: never stopped.
    spread = FloodGate(limit=3, cooldown=30, exempt=frozenset(), clock=ticks)
    for step in range(12):
        ticks.now = 1000 + step * 20.1
        assert spread.check(5) == "pass"
    assert all(gate.check(9) == "pass" for _ in range(50))   # an official
    assert FloodGate(0, 30, frozenset(), ticks).check(1) == "pass"   # FLOOD_LIMIT=0: off


async def test_a_flooding_user_gets_one_notice_and_nobody_else_is_slowed(
        tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, FLOOD_LIMIT="5", ADMIN_IDS="777") as h:
        flooder, other, official = h.user(601), h.user(602, lang="en"), h.user(777)
        replies = [await h.text("kapan pilkada?", user=flooder) for _ in range(5)]
        assert all(texts(r, "sendMessage") for r in replies)
        notice = texts(await h.text("kapan pilkada?", user=flooder), "sendMessage")
        assert len(notice) == 1 and "Pelan-pelan" in notice[0] and "5 pesan" in notice[0]
        for _ in range(5):                                   # ignored, not even a notice
            assert await h.text("kapan pilkada?", user=flooder) == []
        assert texts(await h.text("when is the election?", user=other), "sendMessage")
        for _ in range(12):                                  # officials are exempt
            assert texts(await h.text("kapan pilkada?", user=official), "sendMessage")
