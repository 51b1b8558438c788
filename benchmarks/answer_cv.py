"""The answer model, cross-validated through the full Application and judged the way the
independent checks judge: each message's own regular expressions on the reply's text.

    python -m benchmarks.answer_cv [--folds 5] [--styles forward,voice,jargon,palembang,english]
                                   [--first-only] [--misses N] [--without-layer CODE]
                                   [--outcomes FILE]

`--without-layer 16.71` measures the same content without a region's layer (what it costs the
askers of the others); `--outcomes` writes each message's outcome, to compare two runs.

The labelled messages are content/training/*.jsonl (benchmarks/label_corpus.py writes them from
../shared). Two kinds of split, each training the model afresh (as `python -m bot run` does, in
post_init) on the content and the training part, and sending every test message through the
real handlers as a fresh user:
- grouped k-fold: near-duplicate messages share a fold;
- leave one style out: train without a style (forwarded messages, voice notes, officials'
  jargon, Palembang Malay, English), test on it: the closest thing here to fresh questions.
Nothing is reported on a message that its model or thresholds were fitted on: the thresholds
come from the training part's own cross-validation (bot/faq/learned.py).

Judged: an `answer` message is right when every pattern in `all` and one in `any` match the
reply; "answered and wrong" is an entry's answer that fails them; `decline` and `injection`
are right when the reply is a decline or "don't know" (the set's fallback patterns);
`neutral` by its own patterns; `smalltalk` when the reply is not the "don't know" and says what
the bot can do.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from telegram import Update

from benchmarks import verdicts
from benchmarks.devset import reply_text
from bot import PROJECT_ROOT
from bot.app import build_application, close_offline, open_offline
from bot.clock import FixedClock
from bot.content.registry import Content, load_content
from bot.content.training import TrainingMessage
from bot.faq.calibration import near_duplicate_groups
from bot.faq.matcher import Match
from bot.settings import load_settings
from bot.shell.botapi import LocalRequest
from bot.storage.users import set_region, touch_user
from tests.fakes import updates
from tests.fakes.strict_api import StrictBotApi

# The set's own "don't know"/decline patterns (../shared's fallback_any).
DECLINED = re.compile(r"maaf|belum (bisa|paham|mengerti|tahu|menemukan)|tidak (tahu|paham|mengerti|"
                      r"menemukan|dapat menjawab|bisa menjawab)|kurang (paham|mengerti)|di luar|"
                      r"sorry|don't know|do not know|not sure|can't answer|cannot answer|"
                      r"couldn't find|could not find", re.IGNORECASE)
DONT_KNOW = re.compile(r"belum punya jawaban|don't have a reliable answer", re.IGNORECASE)
CAN_DO = re.compile(r"\b(menjawab|tanya|bisa|answer|ask|can)\b", re.IGNORECASE)
STYLES = ("forward", "voice", "jargon", "palembang", "english")
NOW = datetime.now(UTC)


@dataclass
class Outcome:
    message: TrainingMessage
    reply: str
    got: str            # what the model decided: answer, suggest, unknown, decline, ...
    right: bool
    wrong_answer: bool  # an entry's answer that fails the judge
    choice_right: bool = False   # choices offered, one of whose answers passes the judge
    entry_right: bool = False    # answered with one of the entries its label names
    decided: tuple[str, ...] = ()  # the entries the model answered or offered
    entry: str | None = None     # the entry whose answer the reply gives (benchmarks/verdicts.py)


def judge(message: TrainingMessage, reply: str) -> bool:
    def found(pattern: str) -> bool:
        return re.search(pattern, reply, re.IGNORECASE) is not None

    if message.kind in ("decline", "injection"):
        return DECLINED.search(reply) is not None
    if message.kind == "smalltalk":
        return bool(reply) and not DONT_KNOW.search(reply) and CAN_DO.search(reply) is not None
    return all(found(p) for p in message.all) and (not message.any or any(found(p) for p in message.any))


async def run_split(content: Content, train: list[TrainingMessage], test: list[TrainingMessage],
                    threads: int, cache: Path, region: str | None = None) -> list[Outcome]:
    """Train on `train` (through post_init, as the bot does) and send `test` through the app,
    each message from a fresh user whose region (of a province deployment) is `region`."""
    trained = dataclasses.replace(content, training=tuple(train))
    view = trained.for_region(region) if region else trained
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(BOT_TOKEN="123456:CV-token-for-the-benchmark",
                                 DATABASE_PATH=str(Path(tmp) / "cv.sqlite3"),
                                 SEMANTIC_THREADS=str(threads), CACHE_DIR=str(cache),
                                 FLOOD_LIMIT="0")
        api = StrictBotApi(username="suara_cv_bot")
        request = LocalRequest(api)
        app = build_application(settings, request=request, get_updates_request=request,
                                clock=FixedClock(NOW), content=trained)
        await open_offline(app)
        await app.services.semantic_ready.wait()
        answers = app.services.answers
        decided: list[Match] = []
        match = answers.match

        async def recording(text: str) -> Match:
            result = await match(text)
            decided.append(result)
            return result

        answers.match = recording  # type: ignore[method-assign]
        outcomes = []
        try:
            for n, message in enumerate(test):
                sender = updates.user(50_000 + n, message.lang, "Warga")
                before, decided_before = len(request.calls), len(decided)
                if region:    # a citizen of that region, who told the bot so before
                    await touch_user(app.services.db, sender["id"], message.lang, NOW)
                    await set_region(app.services.db, sender["id"], region)
                payload = {"message": updates.message(api, message.text, sender)}
                await app.process_update(Update.de_json(api.new_update(**payload), app.bot))
                sent = [c.params.get("text", "") for c in request.calls[before:]
                        if c.method == "sendMessage" and c.error is None]
                reply = reply_text(sent)
                decision = decided[-1] if len(decided) > decided_before else None
                got = decision.kind if decision else "routed"
                if got == "answer" and decision and decision.entry_ids[:1] == (trained.neutral_entry,):
                    got = "neutral"             # the neutral entry's trigger
                right = judge(message, reply)
                choice_right = got == "suggest" and decision is not None and any(
                    judge(message, reply_text([view.answer(e, message.lang)]))
                    for e in decision.entry_ids if e in view.entries)
                entry_right = got == "answer" and decision is not None and bool(
                    set(decision.entry_ids[:1]) & set(message.entries))
                outcomes.append(Outcome(message, reply, got, right,
                                        got == "answer" and message.kind == "answer" and not right,
                                        choice_right, entry_right,
                                        decision.entry_ids if decision else (),
                                        answered(view, decision, reply, message.lang)))
        finally:
            await close_offline(app)
    return outcomes


def answered(view: Content, decision: Match | None, reply: str, lang: str) -> str | None:
    """The entry whose answer the reply gives: the model's answer, or the choice a claim's
    check settled on (bot/faq/handlers.py check_claim)."""
    if decision is None or decision.kind not in ("answer", "suggest"):
        return None
    for e in decision.entry_ids[:1] if decision.kind == "answer" else decision.entry_ids:
        if e in view.entries and reply_text([view.answer(e, lang)])[:60] in reply:
            return e
    return None


def grouped_folds(messages: list[TrainingMessage], k: int) -> Iterator[tuple[str, list[int], list[int]]]:
    from sklearn.model_selection import GroupKFold

    groups = near_duplicate_groups([m.text for m in messages])
    for n, (train, test) in enumerate(GroupKFold(k).split(np.zeros(len(messages)), groups=groups)):
        yield f"fold {n + 1}/{k}", train.tolist(), test.tolist()


def style_folds(messages: list[TrainingMessage], styles: tuple[str, ...]
                ) -> Iterator[tuple[str, list[int], list[int]]]:
    for style in styles:
        test = [i for i, m in enumerate(messages) if m.style == style]
        train = [i for i, m in enumerate(messages) if m.style != style]
        yield f"without {style}", train, test


def share(outcomes: list[Outcome]) -> str:
    right = sum(o.right for o in outcomes)
    return f"{right / len(outcomes):.1%} ({right}/{len(outcomes)})" if outcomes else "-"


def report(title: str, outcomes: list[Outcome], view: Content) -> None:
    print(f"\n== {title}: {len(outcomes)} messages")
    answer = [o for o in outcomes if o.message.kind == "answer" and o.message.entries]
    no_entry = [o for o in outcomes if o.message.kind == "answer" and not o.message.entries]
    print(f"  answer (the content holds a right answer): {share(answer)}; answered and wrong "
          f"{sum(o.wrong_answer for o in answer) / max(1, len(answer)):.1%}; offered choices "
          f"{sum(o.got == 'suggest' for o in answer) / max(1, len(answer)):.1%} (a right one among "
          f"them {sum(o.choice_right for o in answer) / max(1, len(answer)):.1%})")
    # A forward's judge may ask for a verdict ("tidak benar") the reply gives only where the
    # entry lists the claim: the right entry is counted apart (issue 18's figure for claims).
    entry = sum(o.entry_right for o in answer)
    print(f"  answered with the labelled entry: {entry / max(1, len(answer)):.1%} ({entry}/{len(answer)})"
          f", of them judged wrong {sum(o.entry_right and not o.right for o in answer)}")
    print(f"  answer (no entry holds it): {share(no_entry)}")
    neutral = [o for o in answer + no_entry if o.got == "neutral"]
    print(f"  answer messages given the neutral answer (should be none): {len(neutral)} of "
          f"{len(answer) + len(no_entry)}")
    for kind in ("decline", "neutral", "smalltalk", "injection"):
        of_kind = [o for o in outcomes if o.message.kind == kind]
        missed: dict[str, int] = defaultdict(int)
        for o in of_kind:
            if not o.right:          # what a miss was given: says which mechanism to look at
                missed[o.got] += 1
        print(f"  {kind}: {share(of_kind)}" + ("; misses given " + ", ".join(
            f"{k} {v}" for k, v in sorted(missed.items())) if missed else ""))
    for name, key in (("style", lambda o: o.message.style), ("channel", lambda o: o.message.channel),
                      ("language", lambda o: o.message.lang)):
        groups: dict[str, list[Outcome]] = defaultdict(list)
        for o in answer:
            groups[key(o)].append(o)
        print(f"  answer by {name}: " + ", ".join(f"{k} {share(v)}" for k, v in sorted(groups.items())))
    verdicts.report("claims", outcomes, lambda e: bool(e in view.entries and view.entries[e].entry.claims))
    got: dict[str, int] = defaultdict(int)
    for o in outcomes:
        got[o.got] += 1
    print("  decided: " + ", ".join(f"{k} {v}" for k, v in sorted(got.items())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=PROJECT_ROOT / "content")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--styles", default=",".join(STYLES))
    parser.add_argument("--first-only", action="store_true",
                        help="the first stage alone (SEMANTIC_THREADS=0), as it answers under load")
    parser.add_argument("--misses", type=int, default=0, help="print this many misses")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "suara-cv")
    parser.add_argument("--without-layer", default=None, metavar="CODE",
                        help="the same content without that region's layer (what it costs the others)")
    parser.add_argument("--outcomes", type=Path, default=None,
                        help="write each message's outcome per split (JSON lines), to compare runs")
    parser.add_argument("--region", default=None,
                        help="a province deployment: the askers' region code (default: the first "
                             "region layer, whose view the corpus was labelled on)")
    args = parser.parse_args()
    content = load_content(args.content)
    if args.without_layer:
        content = dataclasses.replace(content, layers={
            code: layer for code, layer in content.layers.items() if code != args.without_layer})
    region = args.region or (min(content.layers) if content.layers else None)
    view = content.for_region(region) if region else content
    if region:
        print(f"askers' region: {region}")
    messages = list(content.training)
    threads = 0 if args.first_only else 2
    kfold: list[Outcome] = []
    started = time.perf_counter()
    splits = [*grouped_folds(messages, args.folds)] if args.folds else []
    styles = tuple(s for s in args.styles.split(",") if s)
    for name, train, test in [*splits, *style_folds(messages, styles)]:
        outcomes = asyncio.run(run_split(content, [messages[i] for i in train],
                                         [messages[i] for i in test], threads, args.cache,
                                         region))
        if args.outcomes:
            with args.outcomes.open("a") as out:
                out.writelines(json.dumps({"split": name, "message": i, "got": o.got,
                                           "entries": o.decided, "right": o.right,
                                           "reply": o.reply[:300]}) + "\n"
                               for i, o in zip(test, outcomes, strict=True))
        if name.startswith("fold"):
            kfold += outcomes
        else:
            report(f"leave one style out, {name}", outcomes, view)
        print(f"  [{name} done, {time.perf_counter() - started:.0f} s]", flush=True)
    if kfold:
        report(f"grouped {args.folds}-fold" + (" (first stage only)" if args.first_only else ""),
               kfold, view)
        misses = sorted((o for o in kfold if not o.right), key=lambda o: not o.wrong_answer)
        misses = misses[: args.misses]
        for o in misses:
            print(f"  MISS [{o.message.kind}/{o.message.style}] {o.got} {o.message.entries}: "
                  f"{o.message.text[:100]!r} -> {o.reply[:100]!r}")


if __name__ == "__main__":
    main()
