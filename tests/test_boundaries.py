"""The house rules that keep each room doing one job (docs/architecture.md, "Boundaries")."""

from __future__ import annotations

import re
import subprocess
import sys

from bot import PROJECT_ROOT

CODE = [p for folder in ("bot", "scheduler") for p in (PROJECT_ROOT / folder).rglob("*.py")]
SQL = re.compile(r"\b(execute(many|script)?\(|SELECT\s|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|"
                 r"DELETE\s+FROM|BEGIN\s+IMMEDIATE)")
# No module over 300 lines: each small enough to read in one sitting.
MAX_LINES = 300


def test_only_storage_speaks_sql() -> None:
    offenders = [str(p.relative_to(PROJECT_ROOT)) for p in CODE
                 if "storage" not in p.relative_to(PROJECT_ROOT).parts
                 and SQL.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_broadcast_engine_knows_no_telegram() -> None:
    modules = [f"bot.broadcasts.{p.stem}" for p in (PROJECT_ROOT / "bot" / "broadcasts").glob("*.py")
               if p.stem not in ("__init__", "handlers")]
    modules.append("scheduler.runner")
    probe = (f"import sys; import {', '.join(modules)}; "
             "print(sorted(m for m in sys.modules if m.split('.')[0] == 'telegram'))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=PROJECT_ROOT, timeout=60, check=True)
    assert result.stdout.strip() == "[]", result.stdout


def test_content_does_not_import_regions_or_telegram() -> None:
    probe = ("import sys; import bot.content.registry; "
             "print(sorted(m for m in sys.modules if m.startswith(('bot.regions', 'telegram'))))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=PROJECT_ROOT, timeout=60, check=True)
    assert result.stdout.strip() == "[]", result.stdout


def test_modules_are_small_enough_to_read_in_one_sitting() -> None:
    long = {str(p.relative_to(PROJECT_ROOT)): len(p.read_text(encoding="utf-8").splitlines())
            for p in CODE}
    over = {name: n for name, n in long.items() if n > MAX_LINES}
    assert over == {}


def test_features_do_not_import_each_others_handlers() -> None:
    features = ("account", "broadcasts", "election", "faq", "regions")
    found = []
    for feature in features:
        for path in (PROJECT_ROOT / "bot" / feature).glob("*.py"):
            text = path.read_text(encoding="utf-8")
            for other in features:
                if other != feature and re.search(rf"bot\.{other}\.handlers|bot\.{other} import handlers",
                                                  text):
                    found.append(f"{path.relative_to(PROJECT_ROOT)} -> {other}.handlers")
    assert found == []


def test_bot_reaches_the_scheduler_only_through_the_composition_root() -> None:
    allowed = {"bot/app.py", "bot/__main__.py"}   # the composition root, and the CLI's preview
    found = [str(p.relative_to(PROJECT_ROOT)) for p in (PROJECT_ROOT / "bot").rglob("*.py")
             if re.search(r"^\s*(from|import) scheduler", p.read_text(encoding="utf-8"), re.M)
             and str(p.relative_to(PROJECT_ROOT)) not in allowed]
    assert found == []


def test_only_storage_knows_which_database() -> None:
    driver = re.compile(r"^\s*(import|from)\s+(sqlite3|aiosqlite|asyncpg)\b", re.M)
    offenders = [str(p.relative_to(PROJECT_ROOT)) for p in CODE
                 if "storage" not in p.relative_to(PROJECT_ROOT).parts
                 and driver.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
