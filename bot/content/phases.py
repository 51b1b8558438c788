"""Where the election stands on a given day, from election.yaml's dates: what an answer may say
is ahead and what has happened. Templates read it as `phase` and `reached`:

    {% if phase == 'before_voting' %}...{% elif phase == 'voting_day' %}...{% else %}...{% endif %}
    {% if reached.pelantikan %}were sworn in{% else %}are due to be sworn in{% endif %}
    {% if passed.batas_pindah %}the deadline was{% else %}the deadline is{% endif %}

Phases, in order: before_voting (until the day before voting day), voting_day, counting (from
the day after until the results milestone starts), after_results. `reached` maps every
milestone to whether its first day has come, `passed` to whether its last day has gone by.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from jinja2 import nodes

from bot.content.schema import Election

PHASES: tuple[str, ...] = ("before_voting", "voting_day", "counting", "after_results")


@dataclass(frozen=True)
class Timeline:
    phase: str
    reached: frozenset[str]   # milestones whose first day has come
    passed: frozenset[str]    # milestones whose last day has gone by

    def context(self, election: Election) -> dict[str, object]:
        return {"phase": self.phase,
                "reached": {mid: mid in self.reached for mid in election.milestones},
                "passed": {mid: mid in self.passed for mid in election.milestones}}


def local_day(election: Election, now: datetime) -> date:
    """The calendar day in the election's own time zone (a UTC evening is already tomorrow in
    WIB)."""
    return now.astimezone(ZoneInfo(election.timezone)).date()


def timeline(election: Election, day: date) -> Timeline:
    results = election.milestones[election.results_milestone].start
    if day < election.voting_day:
        phase = "before_voting"
    elif day == election.voting_day:
        phase = "voting_day"
    elif day < results:
        phase = "counting"
    else:
        phase = "after_results"
    reached = frozenset(mid for mid, m in election.milestones.items() if m.start <= day)
    passed = frozenset(mid for mid, m in election.milestones.items() if (m.end or m.start) < day)
    return Timeline(phase, reached, passed)


def sample_days(election: Election) -> list[date]:
    """One day for every distinct timeline: the first day of each phase, the first day of each
    milestone and the day after its last, and a day well before all of them. Rendering an
    answer on each of these renders every branch its template can take on the calendar."""
    starts = [m.start for m in election.milestones.values()]
    ends = [(m.end or m.start) + timedelta(days=1) for m in election.milestones.values()]
    days = {min([election.voting_day, *starts]) - timedelta(days=30), election.voting_day,
            election.voting_day + timedelta(days=1), *starts, *ends}
    seen: dict[Timeline, date] = {}
    for day in sorted(days):
        seen.setdefault(timeline(election, day), day)
    return sorted(seen.values())


@dataclass(frozen=True)
class TimelineReads:
    """What a template reads of the timeline: `phase` or not, and the milestones it reads of
    `reached` and `passed` (None: the whole mapping, or read in a way not followed here)."""
    phase: bool = True
    reached: frozenset[str] | None = None
    passed: frozenset[str] | None = None

    def reading(self, timeline: Timeline) -> tuple[object, ...]:
        """What the template sees of `timeline`: equal readings render equal text."""
        return (timeline.phase if self.phase else None,
                timeline.reached if self.reached is None else timeline.reached & self.reached,
                timeline.passed if self.passed is None else timeline.passed & self.passed)


EVERY_DAY = TimelineReads()     # unknown: the template may read any of it


def timeline_reads(ast: nodes.Template) -> TimelineReads:
    """From a parsed template: `phase`, `reached.<id>` / `reached["<id>"]`... Any other use
    of these names (assigned, looped over, a mapping's method) counts as reading all of it."""
    phase = False
    keys: dict[str, set[str] | None] = {"reached": set(), "passed": set()}

    def visit(node: nodes.Node, parent: nodes.Node | None) -> bool:
        nonlocal phase
        if isinstance(node, nodes.Name) and node.name in ("phase", *keys):
            if node.ctx != "load":
                return False
            if node.name == "phase":
                phase = True
            elif keys[node.name] is not None:
                key = _constant_key(node, parent)
                if key is None or hasattr(dict, key):
                    keys[node.name] = None
                else:
                    keys[node.name].add(key)  # type: ignore[union-attr]
        return all(visit(child, node) for child in node.iter_child_nodes())

    if not visit(ast, None):
        return EVERY_DAY
    reached, passed = keys["reached"], keys["passed"]
    return TimelineReads(phase, None if reached is None else frozenset(reached),
                         None if passed is None else frozenset(passed))


def _constant_key(name: nodes.Name, parent: nodes.Node | None) -> str | None:
    if isinstance(parent, nodes.Getattr) and parent.node is name:
        return parent.attr
    if isinstance(parent, nodes.Getitem) and parent.node is name \
            and isinstance(parent.arg, nodes.Const) and isinstance(parent.arg.value, str):
        return parent.arg.value
    return None
