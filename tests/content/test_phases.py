"""Answers read the election's phase from the calendar (bot/content/phases.py), on the fixture
content: an election on Wednesday 14 March 2029, results announced from 24 March."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.content.phases import EVERY_DAY, TimelineReads, local_day, sample_days, timeline, timeline_reads
from bot.content.registry import Content
from bot.content.render import make_environment
from tests.conftest import DURING_CAMPAIGN
from tests.content.editing import edit, problems
from tests.fakes.harness import Harness, texts


def at(day: str, hour_utc: int = 5) -> datetime:
    """A moment on `day` (noon WIB by default)."""
    return datetime.fromisoformat(day).replace(hour=hour_utc, tzinfo=UTC)


@pytest.mark.parametrize(("day", "phase"), [
    ("2029-01-01", "before_voting"), ("2029-03-13", "before_voting"),
    ("2029-03-14", "voting_day"), ("2029-03-15", "counting"), ("2029-03-23", "counting"),
    ("2029-03-24", "after_results"), ("2031-06-01", "after_results"),
])
def test_the_phase_follows_the_calendar(content: Content, day: str, phase: str) -> None:
    assert timeline(content.election, date.fromisoformat(day)).phase == phase


def test_milestones_are_reached_on_their_first_day_and_passed_after_their_last(
        content: Content) -> None:
    election = content.election   # the campaign runs 10 January - 10 March 2029
    on_last_day = timeline(election, date(2029, 3, 10))
    day_after = timeline(election, date(2029, 3, 11))
    assert "kampanye" in on_last_day.reached and "kampanye" not in on_last_day.passed
    assert "kampanye" in day_after.passed
    assert "pengumuman_hasil" not in day_after.reached
    context = day_after.context(election)
    assert context["passed"] == {"kampanye": True, "pemungutan_suara": False,
                                 "pengumuman_hasil": False}


def test_the_day_is_the_election_time_zones(content: Content) -> None:
    """18:00 UTC on the 13th is already 01:00 on voting day in WIB."""
    now = datetime(2029, 3, 13, 18, 0, tzinfo=UTC)
    assert local_day(content.election, now) == date(2029, 3, 14)
    assert content.timeline(now).phase == "voting_day"


def test_sample_days_give_every_timeline_the_calendar_can_produce(content: Content) -> None:
    election = content.election
    every_day = {timeline(election, date(2028, 12, 1) + timedelta(days=n)) for n in range(400)}
    assert {timeline(election, d) for d in sample_days(election)} == every_day


def test_an_answer_reads_differently_in_each_phase(content: Content) -> None:
    before = content.answer("hari_pemungutan", "id", at("2029-03-01"))
    today = content.answer("hari_pemungutan", "id", at("2029-03-14"))
    after = content.answer("hari_pemungutan", "id", at("2029-03-20"))
    results = content.answer("hari_pemungutan", "id", at("2029-03-24"))
    assert "/hitungmundur" in before and "Hari ini" not in before
    assert "Hari ini" in today and "/hitungmundur" not in today
    assert "sudah berlangsung" in after and "/hitungmundur" not in after
    assert "Hasilnya sudah diumumkan" in results and "Hasilnya" not in after
    # One rendering per timeline: the same phase gives the same text, cached.
    assert content.answer("hari_pemungutan", "id", at("2029-03-02")) is before


async def test_the_bot_answers_on_its_own_clock(harness: Harness) -> None:
    """Through the real Application: the answer a citizen gets follows services.clock."""
    assert harness.clock.now() == DURING_CAMPAIGN
    before = texts(await harness.text("Kapan pilkada dilaksanakan?"))[0]
    assert "/hitungmundur" in before
    harness.clock.set(at("2029-03-20"))
    after = texts(await harness.text("Kapan pilkada dilaksanakan?"))[0]
    assert "sudah berlangsung" in after and "/hitungmundur" not in after


def test_each_application_keeps_its_own_clock(content: Content, harness: Harness) -> None:
    """The composition root gives the bot a copy of the content on its clock: content shared
    between applications (tests, the shell) is not moved by one of them."""
    assert harness.app.services.content.clock is harness.clock
    assert content.clock is not harness.clock
    harness.clock.set(at("2029-03-20"))
    assert harness.app.services.content.timeline().phase == "counting"




def test_a_template_broken_in_one_phase_only_is_refused(content_copy: Path) -> None:
    """Every answer is rendered on a day of each phase: a mistake in a branch that only shows
    after the results is caught at load, not months later by a citizen."""
    edit(content_copy / "faq/1_contoh.yaml", " Hasilnya sudah diumumkan.",
         " Hasilnya {{ election.winner }}.")
    assert any("hari_pemungutan.id.answer" in p and "on 2029-03-24" in p and "winner" in p
               for p in problems(content_copy))


def test_an_unknown_milestone_in_a_template_is_refused(content_copy: Path) -> None:
    edit(content_copy / "faq/1_contoh.yaml", "reached.pengumuman_hasil", "reached.pelantikan")
    assert any("hari_pemungutan.id.answer" in p and "pelantikan" in p
               for p in problems(content_copy))


def test_the_results_milestone_must_exist_and_follow_voting_day(content_copy: Path) -> None:
    election = content_copy / "election.yaml"
    edit(election, "results_milestone: pengumuman_hasil", "results_milestone: penetapan")
    assert any("election.yaml" in p and "results_milestone: 'penetapan' is not one of" in p
               for p in problems(content_copy))
    edit(election, "results_milestone: penetapan", "results_milestone: kampanye")
    assert any("results milestone must start after voting_day" in p
               for p in problems(content_copy))


@pytest.mark.parametrize(("source", "phase", "reached", "passed"), [
    ("Tanpa tanggal {{ election.region }}", False, frozenset(), frozenset()),
    ("{% if phase == 'counting' %}a{% endif %}", True, frozenset(), frozenset()),
    ("{% if reached.kampanye %}a{% elif passed['masa_tenang'] %}b{% endif %}", False,
     frozenset({"kampanye"}), frozenset({"masa_tenang"})),
    ("{% for k in reached %}{{ k }}{% endfor %}", False, None, frozenset()),
    ("{{ passed.items() }}", False, frozenset(), None),
])
def test_what_a_template_reads_of_the_timeline(source: str, phase: bool,
                                               reached: frozenset[str] | None,
                                               passed: frozenset[str] | None) -> None:
    assert timeline_reads(make_environment().parse(source)) == \
        TimelineReads(phase, reached, passed)


@pytest.mark.parametrize("source", [
    "{% set phase = 'x' %}{{ phase }}", "{% with reached = passed %}{{ reached.a }}{% endwith %}",
    "{% macro m(passed) %}{{ passed }}{% endmacro %}{{ m(1) }}"])
def test_a_timeline_name_given_another_value_counts_as_read_every_day(source: str) -> None:
    assert timeline_reads(make_environment().parse(source)) == EVERY_DAY


def test_a_template_reading_one_milestone_reads_two_ways_over_the_sample_days(
        content: Content) -> None:
    election = content.election
    reads = timeline_reads(make_environment().parse("{% if reached.kampanye %}a{% endif %}"))
    readings = {reads.reading(timeline(election, day)) for day in sample_days(election)}
    assert readings == {(None, frozenset(), frozenset()),
                        (None, frozenset({"kampanye"}), frozenset())}
    assert len({EVERY_DAY.reading(timeline(election, day)) for day in sample_days(election)}) \
        == len(sample_days(election))


def test_a_branch_on_one_milestone_only_is_rendered_and_refused(content_copy: Path) -> None:
    edit(content_copy / "faq/1_contoh.yaml", "reached.pengumuman_hasil",
         "reached.pengumuman_hasil and election.winner")
    assert any("hari_pemungutan.id.answer" in p and "on 2029-03-24" in p and "winner" in p
               for p in problems(content_copy))


def test_a_message_broken_in_one_phase_only_is_refused(content_copy: Path) -> None:
    """/help reads the phase: each branch is rendered at load."""
    edit(content_copy / "messages.yaml", "'tahapan sesudah pencoblosan'", "election.winner")
    assert any("help.id" in p and "winner" in p for p in problems(content_copy))


def test_a_phase_without_subscription_topics_is_refused(content_copy: Path) -> None:
    """/langganan gives the topics on offer: no phase may offer none."""
    topics = content_copy / "subscription_topics.yaml"
    for said in ("    en: official announcements\n", "    en: tips and reminders from the election office\n"):
        edit(topics, said, said + "  phases: [before_voting]\n")
    assert any("no topic is offered in the counting phase" in p for p in problems(content_copy))
