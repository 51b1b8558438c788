"""Content problems: each one with its file, line and field, all reported at once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.content.yamlload import LineDict, YamlError, line_of, load_yaml


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int | None
    where: str
    message: str

    def __str__(self) -> str:
        place = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{place}: {self.where + ': ' if self.where else ''}{self.message}"


class ContentError(Exception):
    def __init__(self, problems: list[Problem], notes: list[str] | None = None) -> None:
        self.problems = problems
        lines = "\n".join([f"  {p}" for p in problems] + [f"  ({n})" for n in notes or ()])
        super().__init__(f"content is invalid ({len(problems)} problem(s)):\n{lines}")


@dataclass
class Collector:
    """Gathers problems while loading, so that one run shows every one of them: each once, with
    the line of its field when the caller did not know it (read from the file's nodes)."""
    root: Path
    problems: list[Problem] = field(default_factory=list)
    # What refused files or items held (kind -> ids: "entry", "source"), so that references
    # into them are not each reported as another problem (`lost`); "*" in a kind: unknown ids.
    lost: dict[str, set[str]] = field(default_factory=dict)
    _raw: dict[Path, Any] = field(default_factory=dict, repr=False)
    _unlisted: dict[str, int] = field(default_factory=dict, repr=False)

    def add(self, path: Path, line: int | None, where: str, message: str) -> None:
        if line is None and where:
            line = self._line_for(path, where)
        try:
            shown = path.relative_to(self.root.parent)
        except ValueError:
            shown = path
        problem = Problem(shown, line, where, message)
        if problem not in self.problems:        # the same check reached by several views
            self.problems.append(problem)

    def _line_for(self, path: Path, where: str) -> int | None:
        """The line of a field named like `a.b.0.c` (an FAQ file's under `entries`)."""
        if path.suffix != ".yaml" or not path.is_file():
            return None
        if path not in self._raw:
            try:
                self._raw[path] = load_yaml(path)
            except YamlError:
                self._raw[path] = None
        raw = self._raw[path]
        steps: list[Any] = [int(p) if p.isdigit() else p
                            for p in re.split(r"[.\[\]]+", where.split(" ", 1)[0]) if p]
        if isinstance(raw, LineDict) and "entries" in raw and steps and steps[0] != "entries":
            steps.insert(0, "entries")
        if not isinstance(raw, LineDict) or not steps or steps[0] not in raw:
            return None
        return line_of(raw, tuple(steps))

    def lose(self, kind: str, ids: Any) -> None:
        """Ids a refused file or item held (`*`: the file could not be read for its ids)."""
        self.lost.setdefault(kind, set()).update(str(i) for i in ids)

    def is_lost(self, kind: str, ident: str, count: bool = True) -> bool:
        """A reference to what a refused file held: not reported on its own (counted, for one
        note at the end, unless the caller says so itself)."""
        lost = self.lost.get(kind, set())
        if ident in lost or "*" in lost:
            if count:
                self._unlisted[kind] = self._unlisted.get(kind, 0) + 1
            return True
        return False

    def validate(self, model: type[BaseModel], path: Path, data: Any, prefix: tuple = ()) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                loc = prefix + tuple(err["loc"])
                where = ".".join(str(p) for p in loc)
                message = err["msg"].removeprefix("Value error, ")
                if err["type"] == "extra_forbidden":
                    message = "unknown field"
                self.add(path, line_of(data, tuple(err["loc"])) or _line(data), where, message)
            return None

    def load(self, path: Path) -> Any:
        """A YAML file's data (read once), or None with its problem: missing, unreadable, not
        YAML, or empty (nothing but comments: a truncated file is not an empty section)."""
        if not path.exists():
            self.add(path, None, "", "file is missing")
            return None
        if path in self._raw and self._raw[path] is not None:
            return self._raw[path]
        try:
            data = self._raw[path] = load_yaml(path)
        except YamlError as exc:
            self.add(path, exc.line, exc.field, exc.message)
            return None
        if data is None:
            self.add(path, None, "", "the file is empty (nothing but comments or blank lines)")
        return data

    def raise_if_any(self) -> None:
        if self.problems:
            notes = [f"and {n} reference(s) to {_PLURAL.get(kind, kind + 's')} of what was "
                     "refused above, not listed"
                     for kind, n in sorted(self._unlisted.items())]
            raise ContentError(self.problems, notes)


_PLURAL = {"entry": "entries"}


def _line(data: Any) -> int | None:
    return getattr(data, "line", None) or None


def content_files(col: Collector, folder: Path, suffix: str) -> list[Path]:
    """A content folder's files of its one kind, in name order; any other file there (a
    `.yml`, a `.bak`) is refused, never silently skipped: one spelling, `suffix`. Hidden files
    (an editor's or the system's, named with a dot first) are not content."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.suffix == suffix and path.is_file():
            found.append(path)
        else:
            col.add(path, None, "", f"not a content file: {folder.name}/ holds *{suffix} files "
                                    f"only (rename it to {path.stem}{suffix}, or move it out)")
            if folder.name == "faq":
                col.lose("entry", ["*"])
    return found


def key_line(mapping: Any, key: Any) -> int | None:
    if isinstance(mapping, LineDict):
        return mapping.key_lines.get(key)
    return None
