"""The README's commands are the ones that work; .ci/run runs the README's test command."""

from __future__ import annotations

import re

from bot import PROJECT_ROOT
from bot.settings import Settings


def readme_commands() -> list[str]:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)


def test_ci_runs_the_readme_test_command() -> None:
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    first, second = readme_commands()[:2]
    assert "python -m bot shell" in first
    assert second in ci.splitlines()


def test_env_example_documents_every_setting() -> None:
    example = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for field in Settings.model_fields.values():
        assert field.alias and field.alias in example, field.alias
        assert f"`{field.alias}`" in readme, field.alias
