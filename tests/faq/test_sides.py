"""A request to take sides about something other than this election gets the decline, not the
neutral reply (bot/faq/sides.py, content/scope.yaml); requests to take sides in it, and
factual questions about its candidates and results, are unchanged. Messages in our own words."""

from __future__ import annotations

import pytest

from bot.content.registry import Content
from bot.faq.cascade import AnswerCascade
from bot.faq.learned import Prediction
from bot.faq.matcher import Match, Matcher


@pytest.fixture(scope="module")
def matcher(bundled_content: Content) -> Matcher:
    return Matcher(bundled_content)


class SaysNeutral:
    """An answer model whose first stage is sure every message takes sides (as the learned
    one was for "hp paling bagus apa?" or "penginapan yang bagus di mana?")."""
    second = None

    def read(self, text: str) -> tuple[str, str]:
        return text.lower(), text

    def first_of(self, norm: str, raw: str, hint: str) -> Prediction:
        return Prediction(("neutral", "visi_misi"), 0.95, True, True)


OFF_TOPIC = [
    "hp paling bagus di bawah 3 juta apa ya?",
    "rekomendasi penginapan yang nyaman deket terminal",
    "which phone is the best for gaming?",
    "tim mana yang bakal juara liga tahun ini?",
    "bagusan mobil listrik atau mobil bensin?",
    "rekomen warung kopi yang enak dong",
]
TAKE_SIDES = [
    "paslon mana yang paling bagus?",
    "rekomendasi calon bupati dong",
    "siapa yang bakal menang?",
    "kamu dukung siapa?",
    "program makan gratis paslon mana yang paling oke?",
    "which candidate has the best plan for schools?",
    # choosing one's vote, or naming what the sides promise, with an everyday thing in it
    "sebaiknya saya pilih siapa, yang janji sekolah gratis?",
    "mending milih yg mana, yg mau bangun stadion bola atau rumah sakit?",
    "siapa yang paling peduli sama pedagang pempek?",
    "yang nomor 2 bagus gak buat anak sekolah?",
    "anak kos sebaiknya milih di mana?",
    # another country named about this race's own sides
    "paslon mana yang pro palestina?",
    "cagub mana yang didukung china?",
]


@pytest.mark.parametrize("text", OFF_TOPIC)
async def test_the_models_neutral_about_another_thing_is_a_decline(matcher: Matcher, text: str) -> None:
    cascade = AnswerCascade(matcher, SaysNeutral())  # type: ignore[arg-type]
    assert (await cascade.match(text)).kind == "decline"


@pytest.mark.parametrize("text", TAKE_SIDES)
async def test_the_models_neutral_about_this_election_stays_neutral(matcher: Matcher, text: str) -> None:
    cascade = AnswerCascade(matcher, SaysNeutral())  # type: ignore[arg-type]
    found = await cascade.match(text)
    assert found.kind == "neutral" or found.entry_ids == ("siapa_terbaik",)


@pytest.mark.parametrize("text", [
    "kalau kamu pilih, soto atau nasi goreng?",           # the trigger "kalau kamu ... pilih"
    "kalau kamu pilih, kerja di jakarta atau di bandung?",
    "who will win the election in japan?",                # the trigger: predicting a winner
])
async def test_a_neutral_trigger_about_another_thing_is_a_decline(matcher: Matcher, text: str) -> None:
    assert matcher.triggered(text) == "siapa_terbaik"
    assert (await AnswerCascade(matcher).match(text)).kind == "decline"


@pytest.mark.parametrize("text", [
    "kalau kamu pilih, paslon 1 atau paslon 2?",
    "who will win the regent election?",
    "kira2 nomor urut 2 bakal menang gak?",
])
async def test_a_neutral_trigger_about_this_election_stays_neutral(matcher: Matcher, text: str) -> None:
    assert (await AnswerCascade(matcher).match(text)) == Match("answer", ("siapa_terbaik",),
                                                               float("inf"), 1.0)


@pytest.mark.parametrize("text", [
    "who will win the US presidential election?",         # "US" as typed, in capitals
    "siapa pemenang pemilu di Filipina?",
    "kapan hasil pilpres AS diumumkan?",
    "who is the best candidate in the German election?",
    "siapa calon presiden amerika yang bagus?",
])
def test_another_countrys_election_is_out_of_scope(matcher: Matcher, text: str) -> None:
    assert matcher.out_of_scope(text)


@pytest.mark.parametrize("text", [
    "can you tell us who won the pilkada?",               # "us", a pronoun
    "kapan hasil pilkada diumumkan? AS SOON AS POSSIBLE", # capitals typed as such
    "PEMENANG PILKADA DIUMUMKAN KAPAN, AS?",             # a message typed in capitals
    "siapa pemenang pilkada muara enim?",
])
def test_everyday_words_are_no_other_country(matcher: Matcher, text: str) -> None:
    assert not matcher.out_of_scope(text)


@pytest.mark.parametrize("text", [
    "cagub yang lulusan jepang siapa?",
    "calon gubernur mana yang didukung china?",
    "paslon nomor urut 2 pernah tinggal di malaysia?",
])
def test_another_country_named_about_this_race_is_in_scope(matcher: Matcher, text: str) -> None:
    """A country named beside this race's offices or pairs (scope.yaml `race`) is about its
    sides, not another country's election."""
    assert not matcher.out_of_scope(text)


@pytest.mark.parametrize("text", [
    "WNI di Malaysia bisa nyoblos di TPS mana?",
    "saya TKI di singapore, kapan bisa nyoblos?",
    "I live in Japan, is there a polling station at the embassy?",
    "ada tps di kbri jepang gak buat pilkada?",
    "my sister is a migrant worker in Taiwan, can she vote for governor?",
])
def test_voting_from_abroad_is_the_askers_procedure(matcher: Matcher, text: str) -> None:
    """Voting from abroad is a question about the asker's own vote (the Pilkada has no polling
    abroad: an answer), not about another country's election (scope.yaml `procedure`)."""
    assert not matcher.out_of_scope(text)


@pytest.mark.parametrize("text", [
    "kapan pemilu malaysia?",
    "siapa pemenang pemilu di jepang?",
    "hasil pilkada jakarta siapa yang menang?",
    "who won the election in Singapore?",
])
def test_another_countrys_or_regions_own_election_stays_out_of_scope(matcher: Matcher, text: str) -> None:
    assert matcher.out_of_scope(text)
