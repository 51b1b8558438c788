"""Label the shared corpus of citizen messages for the answer model and write it as training
data (content/training/corpus.jsonl).

    python -m benchmarks.label_corpus [--shared ../shared] [--content content] [-o FILE]

The messages come from ../shared/train/questions-train.json and ../shared/eval/questions-dev.json,
written from the fact sheet by people who never saw the content. Each `answer` message is
labelled with the entries whose rendered answer (in the message's language) satisfies the
message's own judge, kept to those the fact-sheet section maps to
(tests/content/facts_coverage.yaml) when any does; a judge that two or fewer entries satisfy
with none mapped keeps those. A verdict pattern ("tidak benar", "not true") is left out when
finding entries: the claim framing, not the entry, says it. An answer message no entry
satisfies is kept unlabelled (the content holds no answer: measured, never trained on).
The corpus was written for one regency: in a province deployment its messages are labelled on
that region's view (`--region`, by default the first region layer), and a `decline` message
that names another region of the deployment with an election topic (scope.yaml's `topics`: the
rule that declined other places' results, candidates, TPS and dates) is left out: its writers
declined it because their bot covered one regency; here it is answered for that region.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import yaml

from benchmarks.devset import reply_text
from bot import PROJECT_ROOT
from bot.content.registry import Content, load_content

VERDICT = re.compile(r"tidak benar|not \(true")
COVERAGE = PROJECT_ROOT / "tests" / "content" / "facts_coverage.yaml"


def passes(patterns_all: list[str], patterns_any: list[str], text: str) -> bool:
    def found(p: str) -> bool:
        return re.search(p, text, re.IGNORECASE) is not None

    alls = [p for p in patterns_all if not VERDICT.search(p)]
    anys = [p for p in patterns_any if not VERDICT.search(p)]
    return all(found(p) for p in alls) and (not anys or any(found(p) for p in anys))


def label(content: Content, item: dict, coverage: dict[str, list[str]],
          answers: dict[tuple[str, str], str]) -> list[str]:
    lang = item.get("lang", "id")
    found = [e for e in sorted(content.entries)
             if passes(item.get("all", []), item.get("any", []), answers[(e, lang)])]
    mapped = coverage.get(str(item.get("facts_ref", "")), [])
    both = [e for e in found if e in mapped]
    return both or (found if len(found) <= 2 else [])


def kind_of(item: dict) -> str:
    return str(item.get("kind") or ("decline" if item.get("fallback")
                                    else "neutral" if item.get("neutral") else "answer"))


def elsewhere_covered(content: Content, region: str | None) -> re.Pattern[str] | None:
    """The names of the deployment's other regions (None when it has one)."""
    if not region:
        return None
    from bot.regions.loader import load_regions

    load_regions(content)            # the deployment's kabupaten/kota, from the region codes
    bare = re.compile(r"^(?:kabupaten|kota) ", re.IGNORECASE)
    own = bare.sub("", content.for_region(region).election.region.name).lower()
    names = {bare.sub("", n).lower() for n in content.place_names} - {own}
    topics = content.scope.topics if content.scope is not None else []
    if not names or not topics:
        return None
    place = r"\b(?:" + "|".join(re.escape(n) for n in sorted(names)) + r")\b"
    topic = r"\b(?:" + "|".join(re.escape(t) for t in topics) + r")\b"
    return re.compile(f"(?=.*{place})(?=.*{topic})", re.IGNORECASE | re.DOTALL)


def messages(shared: Path, content: Content, elsewhere: re.Pattern[str] | None = None) -> list[dict]:
    coverage = {str(k): v for k, v in yaml.safe_load(COVERAGE.read_text()).items()}
    answers = {(e, lang): reply_text([content.answer(e, lang)])
               for e in content.entries for lang in ("id", "en")}
    out = []
    for origin, path in (("train", shared / "train" / "questions-train.json"),
                         ("dev", shared / "eval" / "questions-dev.json")):
        for n, item in enumerate(json.loads(path.read_text(encoding="utf-8"))["questions"], 1):
            kind = kind_of(item)
            if kind == "decline" and elsewhere is not None and elsewhere.search(item["q"]):
                continue
            out.append({
                "text": item["q"], "lang": item.get("lang", "id"), "kind": kind,
                "entries": label(content, item, coverage, answers) if kind == "answer" else [],
                "style": item.get("style") or "plain", "channel": item.get("channel") or "chat",
                "origin": f"{origin}:{n}", "all": item.get("all", []), "any": item.get("any", []),
            })
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=PROJECT_ROOT.parent / "shared")
    parser.add_argument("--content", type=Path, default=PROJECT_ROOT / "content")
    parser.add_argument("-o", "--output", type=Path)
    parser.add_argument("--region", default=None, help="the region whose answers label the corpus")
    args = parser.parse_args()
    content = load_content(args.content)
    region = args.region or (min(content.layers) if content.layers else None)
    out = messages(args.shared, content.for_region(region) if region else content,
                   elsewhere_covered(content, region))
    target = args.output or args.content / "training" / "corpus.jsonl"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in out), encoding="utf-8")
    answer = [m for m in out if m["kind"] == "answer"]
    print(f"{len(out)} messages -> {target}: {len(answer)} answer "
          f"({sum(1 for m in answer if not m['entries'])} with no entry), "
          + ", ".join(f"{k} {sum(1 for m in out if m['kind'] == k)}"
                      for k in ("decline", "neutral", "smalltalk", "injection")))


if __name__ == "__main__":
    main()
