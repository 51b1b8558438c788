"""Content problems: each one with its file, line and field, all reported at once."""

from __future__ import annotations

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
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"content is invalid ({len(problems)} problem(s)):\n{lines}")


@dataclass
class Collector:
    """Gathers problems while loading, so that one run shows every one of them."""
    root: Path
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: Path, line: int | None, where: str, message: str) -> None:
        try:
            shown = path.relative_to(self.root.parent)
        except ValueError:
            shown = path
        self.problems.append(Problem(shown, line, where, message))

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
                self.add(path, line_of(data, tuple(err["loc"])), where, message)
            return None

    def load(self, path: Path) -> Any:
        if not path.exists():
            self.add(path, None, "", "file is missing")
            return None
        try:
            return load_yaml(path)
        except YamlError as exc:
            self.add(path, exc.line, "", exc.message)
            return None

    def raise_if_any(self) -> None:
        if self.problems:
            raise ContentError(self.problems)


def key_line(mapping: Any, key: Any) -> int | None:
    if isinstance(mapping, LineDict):
        return mapping.key_lines.get(key)
    return None
