"""Labelled citizen messages (content/training/*.jsonl): training data for the answer model,
never examples, keywords or triggers. One JSON object a line, so a problem names its line.

Each message has the entries that answer it (`entries`, checked against the content) or a kind
that is not an entry: `decline` (off-topic), `neutral` (a request to take sides), `smalltalk`,
`injection` (an attempt to subvert the bot). An `answer` message with no entries is one the
content holds no answer for: kept for measuring, never trained on. `all`/`any` are the
message's own judge (regular expressions a right reply matches), used by the benchmarks.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from bot.content.errors import Collector, content_files

Kind = Literal["answer", "decline", "neutral", "smalltalk", "injection"]
KINDS: tuple[str, ...] = ("decline", "neutral", "smalltalk", "injection")   # labels that are not entries
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,40}$")]


class TrainingMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4096)]
    lang: Literal["id", "en"] = "id"
    kind: Kind
    entries: tuple[Slug, ...] = ()
    style: Annotated[str, StringConstraints(pattern=r"^[a-z-]{1,30}$")] = "plain"
    channel: Annotated[str, StringConstraints(pattern=r"^[a-z-]{1,30}$")] = "chat"
    origin: Annotated[str, StringConstraints(max_length=60)] = ""
    all: tuple[str, ...] = Field(default=())
    any: tuple[str, ...] = Field(default=())

    @field_validator("all", "any")
    @classmethod
    def _regexes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"not a regular expression ({exc}): {pattern!r}") from exc
        return value

    @property
    def labels(self) -> tuple[str, ...]:
        """What the model learns for this message: its entries, or its kind."""
        return self.entries if self.kind == "answer" else (self.kind,)


def load_training(col: Collector, root: Path, entry_ids: set[str]) -> tuple[TrainingMessage, ...]:
    """Every content/training/*.jsonl file; optional (a deployment may have none yet). A
    message naming an entry of a refused FAQ file is not a problem of its own: each file says
    once how many it has."""
    found: list[TrainingMessage] = []
    for path in content_files(col, root / "training", ".jsonl"):
        try:
            data = path.read_bytes()
        except OSError as exc:
            col.add(path, None, "", f"cannot read: {exc.strerror}")
            continue
        orphans = 0
        for line_no, raw in enumerate(data.splitlines(), start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                col.add(path, line_no, "", f"not valid UTF-8 (byte {raw[exc.start]:#04x} at "
                                           f"column {exc.start + 1})")
                continue
            if not line.strip():
                continue
            try:
                message = TrainingMessage.model_validate(json.loads(line))
            except json.JSONDecodeError as exc:
                col.add(path, line_no, "", f"not JSON: {exc.msg}")
                continue
            except ValidationError as exc:
                for err in exc.errors():
                    col.add(path, line_no, ".".join(str(p) for p in err["loc"]),
                            err["msg"].removeprefix("Value error, "))
                continue
            unknown = [e for e in message.entries if e not in entry_ids]
            if unknown and all(col.is_lost("entry", e, count=False) for e in unknown):
                orphans += 1
            elif unknown:
                col.add(path, line_no, "entries", f"no such FAQ entry: {', '.join(unknown)}")
            elif message.kind != "answer" and message.entries:
                col.add(path, line_no, "entries", f"a {message.kind} message names no entries")
            else:
                found.append(message)
        if orphans:
            col.add(path, None, "entries", f"{orphans} labelled message(s) name entries of an FAQ "
                                           "file or entry refused above (not listed one by one)")
    return tuple(found)
