"""Every CSV the bot writes goes through bot/csvsafe.py: a text cell a spreadsheet would run as a
formula starts with a single quote (OWASP, "CSV Injection"); numbers stay numbers."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import sqlite3
from pathlib import Path

import pytest

from bot import PROJECT_ROOT, csvsafe
from bot.content.registry import Content
from bot.storage.officials import audit
from tests.conftest import DURING_CAMPAIGN, FIXTURE_TPS
from tests.fakes.harness import offline_bot
from tests.fakes.subscribers import bulk_subscribe
from tests.test_cli import run

FORMULA = '=HYPERLINK("http://e.vil","Zorblax")'
SUPER = 900


@pytest.mark.parametrize("cell", [FORMULA, "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_cells_a_spreadsheet_would_run_get_a_quote(cell: str) -> None:
    assert csvsafe.neutralise(cell) == "'" + cell
    assert csvsafe.restore(csvsafe.neutralise(cell)) == cell


@pytest.mark.parametrize("value", ["Balai desa", "'quoted", "x=1", "", -3.25, -7, 0, 12.5])
def test_other_cells_and_numbers_are_left_alone(value: object) -> None:
    assert csvsafe.neutralise(value) == value
    assert csvsafe.neutralise(None) == ""


def test_no_other_module_writes_csv() -> None:
    writers = re.compile(r"csv\.(writer|DictWriter)\(")
    offenders = [str(p.relative_to(PROJECT_ROOT)) for folder in ("bot", "scheduler")
                 for p in (PROJECT_ROOT / folder).rglob("*.py")
                 if p.name != "csvsafe.py" and writers.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_questions_export_neutralises_a_citizens_formula(tmp_path: Path) -> None:
    database = tmp_path / "q.sqlite3"
    asyncio.run(bulk_subscribe(database, []))
    with sqlite3.connect(database) as conn:
        conn.executemany("INSERT INTO unanswered_questions (text, language, asked_at)"
                         " VALUES (?, 'id', '2029-02-01T10:00:00')", [(FORMULA,)] * 2)
    result = run("questions", "export", cwd=tmp_path, env={"DATABASE_PATH": str(database)})
    assert result.returncode == 0, result.stderr
    [row] = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["example_1"] == "'" + FORMULA and row["count"] == "2"


async def test_audit_csv_neutralises_formulas(tmp_path: Path, content: Content) -> None:
    async with offline_bot(tmp_path, content, ADMIN_IDS=str(SUPER)) as h:
        await audit(h.app.services.db, DURING_CAMPAIGN, "petugas:1", "campaign.create",
                    f"-1+{FORMULA}", count=-4)
        calls = await h.text("/audit csv", user=h.user(SUPER))
        [doc] = [c for c in calls if c.method == "sendDocument"]
        rows = list(csv.DictReader(io.StringIO(doc.params["_files"]["document"][1].decode())))
        [row] = [r for r in rows if r["action"] == "campaign.create"]
        assert row["detail"] == f"'-1+{FORMULA}" and row["count"] == "-4"


def test_tps_export_neutralises_text_and_round_trips(tmp_path: Path) -> None:
    env = {"DATABASE_PATH": str(tmp_path / "t.sqlite3")}
    assert run("db", "migrate", cwd=tmp_path, env=env).returncode == 0   # tps refuses a missing one
    source = tmp_path / "tps.csv"
    lines = FIXTURE_TPS.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("Balai Kelurahan Sungai Rotan", '"@SUM(1+1)*cmd"')
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run("tps", "import", str(source), cwd=tmp_path, env=env).returncode == 0
    exported = run("tps", "export", cwd=tmp_path, env=env).stdout
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert rows[0]["alamat"] == "'@SUM(1+1)*cmd"
    assert rows[0]["lat"] == "-1.0"                # a number: no quote
    out = tmp_path / "out.csv"
    out.write_text(exported, encoding="utf-8")
    assert "No changes" in run("tps", "import", str(out), cwd=tmp_path, env=env).stdout
