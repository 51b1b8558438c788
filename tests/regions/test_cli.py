"""`python -m bot tps import|export` as an operator runs it, and the running bot using the list."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.conftest import FIXTURE_TPS
from tests.fakes import updates
from tests.fakes.process import bot_env, start_bot, stop_bot
from tests.fakes.server import FakeBotApiServer
from tests.test_cli import run

SAMPLE = FIXTURE_TPS


def test_import_reimport_export(tmp_path: Path) -> None:
    env = {"DATABASE_PATH": str(tmp_path / "t.sqlite3")}
    run("db", "migrate", cwd=tmp_path, env=env)     # tps refuses a database that is not there
    first = run("tps", "import", str(SAMPLE), cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    assert "Sungai Rotan, Kec. Sungai Rotan [99.01.01.1001]: +2 added (TPS 1, 2)" in first.stdout
    assert "Done: 6 added, 0 changed, 0 removed in 5 desa/kelurahan; now version 1" in first.stdout
    again = run("tps", "import", str(SAMPLE), cwd=tmp_path, env=env)
    assert "No changes: the list in force is identical (version 1)" in again.stdout
    exported = run("tps", "export", cwd=tmp_path, env=env)
    assert exported.stdout.splitlines()[0] == "kode_wilayah,tps,alamat,lat,lon,aksesibilitas,keterangan"
    assert len(exported.stdout.splitlines()) == 7
    out = tmp_path / "out.csv"
    run("tps", "export", str(out), cwd=tmp_path, env=env)
    roundtrip = run("tps", "import", str(out), cwd=tmp_path, env=env)
    assert "No changes" in roundtrip.stdout


def test_a_bad_file_changes_nothing(tmp_path: Path) -> None:
    env = {"DATABASE_PATH": str(tmp_path / "t.sqlite3")}
    run("db", "migrate", cwd=tmp_path, env=env)     # tps refuses a database that is not there
    run("tps", "import", str(SAMPLE), cwd=tmp_path, env=env)
    bad = tmp_path / "bad.csv"
    bad.write_text(SAMPLE.read_text() + "99.01.01.1001,1,Duplicate,,,,\n")
    result = run("tps", "import", str(bad), cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert "rejected, nothing was changed" in result.stderr
    assert "line 8: TPS 1 of 99.01.01.1001 is listed twice (also line 2)" in result.stderr
    exported = run("tps", "export", cwd=tmp_path, env=env)
    assert "Duplicate" not in exported.stdout and len(exported.stdout.splitlines()) == 7


def test_dry_run_and_missing_file(tmp_path: Path) -> None:
    env = {"DATABASE_PATH": str(tmp_path / "t.sqlite3")}
    run("db", "migrate", cwd=tmp_path, env=env)     # tps refuses a database that is not there
    dry = run("tps", "import", str(SAMPLE), "--dry-run", cwd=tmp_path, env=env)
    assert "dry run: nothing was changed" in dry.stdout
    assert run("tps", "export", cwd=tmp_path, env=env).stdout.count("\n") == 1
    missing = run("tps", "import", "nope.csv", cwd=tmp_path, env=env)
    assert missing.returncode == 2 and "cannot read nope.csv" in missing.stderr


async def test_running_bot_answers_from_an_imported_list(tmp_path: Path) -> None:
    token = "777000:E2E-tps-token-value-for-the-tests"
    server = FakeBotApiServer(token)
    await server.start()
    env = bot_env(server, tmp_path)
    process = await start_bot(server, env, tmp_path)
    try:
        voter = updates.user(4242, "id", "Dewi")

        async def ask(text: str | None, **extra: object) -> str:
            start = len(server.calls)
            server.push(message=updates.message(server.api, text, voter, **extra))
            call = await server.wait_for(lambda c: c.method == "sendMessage" and c.error is None,
                                         start=start)
            return str(call.params["text"])

        assert "belum tersedia" in await ask("tps di kelurahan sungai rotan sungai rotan")
        # The election office imports the list while the bot runs (same database, WAL).
        result = await asyncio.to_thread(
            run, "tps", "import", str(SAMPLE), "--sample", cwd=tmp_path,
            env={"DATABASE_PATH": env["DATABASE_PATH"]})
        assert result.returncode == 0, result.stderr
        listed = await ask("tps di kelurahan sungai rotan sungai rotan")
        assert "DATA CONTOH" in listed and "Balai Kelurahan Sungai Rotan" in listed
        nearest = await ask(None, location={"latitude": -1.0005, "longitude": 110.5005})
        assert "TPS terdekat" in nearest and "0,1 km" in nearest
    finally:
        assert await stop_bot(process, server) == 0
        await server.stop()


def test_unreadable_csv_is_refused_in_lines_not_a_traceback(tmp_path: Path) -> None:
    env = {"DATABASE_PATH": str(tmp_path / "t.sqlite3")}
    run("db", "migrate", cwd=tmp_path, env=env)     # tps refuses a database that is not there
    run("tps", "import", str(SAMPLE), cwd=tmp_path, env=env)
    header = "kode_wilayah,tps,alamat\n"
    files = {"swallow.csv": header + '99.01.01.1001,1,"Balai\n99.01.01.1001,2,SD 1\n',
             "cr.csv": (header + "99.01.01.1001,1,A\n99.01.01.1001,1,B\n").replace("\n", "\r"),
             "huge.csv": header + "99.01.01.1001,1," + "x" * 140_000 + "\n"}
    expected = {"swallow.csv": "line 2 (to line 3): a quote opened here is never closed",
                "cr.csv": "line 3: TPS 1 of 99.01.01.1001 is listed twice (also line 2)",
                "huge.csv": "line 2: a field is longer than 128 KB"}
    for name, text in files.items():
        (tmp_path / name).write_text(text, newline="")
        result = run("tps", "import", name, cwd=tmp_path, env=env)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert expected[name] in result.stderr
    exported = run("tps", "export", cwd=tmp_path, env=env).stdout
    assert len(exported.splitlines()) == 7 and "Balai\n" not in exported


def test_import_checks_each_tps_against_its_regencys_bounds(tmp_path: Path) -> None:
    from bot import PROJECT_ROOT

    bad = tmp_path / "plg.csv"
    bad.write_text("kode_wilayah,tps,alamat,lat,lon\n16.71.01.1001,1,Balai Kelurahan,-3.70,103.80\n")
    env = {"DATABASE_PATH": str(tmp_path / "t.sqlite3"), "CONTENT_DIR": str(PROJECT_ROOT / "content")}
    run("db", "migrate", cwd=tmp_path, env=env)
    result = run("tps", "import", str(bad), "--dry-run", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert "line 2: coordinates -3.7, 103.8 are outside Kota Palembang" in result.stderr
