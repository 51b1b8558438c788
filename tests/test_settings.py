from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings

TOKEN = "123456789:AAH-secret-part-of-the-token-xyz"


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings()
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.timezone == "Asia/Jakarta"
    assert settings.database_path == Path("data/suara.db")
    assert settings.admin_ids == ()
    assert settings.bot_token is None


def test_reads_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"BOT_TOKEN={TOKEN}\nADMIN_IDS=11, 22\nTIMEZONE=Asia/Makassar\n"
                                   "TELEGRAM_API_URL=http://127.0.0.1:8081/\n")
    settings = load_settings()
    assert settings.token == TOKEN
    assert settings.admin_ids == (11, 22)
    assert settings.timezone == "Asia/Makassar"
    assert settings.telegram_api_url == "http://127.0.0.1:8081"


def test_environment_overrides_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("LOG_LEVEL=DEBUG\n")
    monkeypatch.setenv("LOG_LEVEL", "warning")
    assert load_settings().log_level == "WARNING"


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("BOT_TOKEN", "not-a-token", "Invalid setting BOT_TOKEN"),
    ("ADMIN_IDS", "12,abc", "Invalid setting ADMIN_IDS"),
    ("TIMEZONE", "Asia/Nowhere", "Invalid setting TIMEZONE"),
    ("TELEGRAM_API_URL", "api.telegram.org", "Invalid setting TELEGRAM_API_URL"),
    ("TELEGRAM_API_URL", "http://127.0.0.1:8081/bot", "Invalid setting TELEGRAM_API_URL"),
    ("TELEGRAM_API_URL", f"http://127.0.0.1:9/bot{TOKEN}", "Invalid setting TELEGRAM_API_URL"),
    ("TELEGRAM_API_URL", f"https://api.telegram.org/bot{TOKEN}/", "Invalid setting TELEGRAM_API_URL"),
    ("TELEGRAM_API_URL", f"https://proxy.example/tg/BOT{TOKEN}/getMe", "Invalid setting TELEGRAM_API_URL"),
    ("TELEGRAM_API_URL", "https://proxy.example/?key=1", "Invalid setting TELEGRAM_API_URL"),
    ("LOG_LEVEL", "chatty", "Invalid setting LOG_LEVEL"),
])
def test_malformed_setting_is_one_clear_line(monkeypatch: pytest.MonkeyPatch, name: str,
                                             value: str, expected: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith(expected) and "\n" not in message
    assert TOKEN.split(":")[1] not in message


@pytest.mark.parametrize("root", ["http://127.0.0.1:8081", "https://proxy.example/telegram/"])
def test_a_server_root_with_a_path_is_accepted(monkeypatch: pytest.MonkeyPatch, root: str) -> None:
    monkeypatch.setenv("TELEGRAM_API_URL", root)
    assert load_settings().telegram_api_url == root.rstrip("/")


def test_bad_token_is_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:short-secret")
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert "short-secret" not in str(info.value)


def test_missing_token_names_the_setting() -> None:
    with pytest.raises(SettingsError, match="BOT_TOKEN is not set"):
        _ = load_settings().token


def test_database_url_selects_postgresql_and_is_never_echoed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().database == "data/suara.db"
    url = "postgresql://suara:hunter2-secret@db:5432/suara"
    monkeypatch.setenv("DATABASE_URL", url)
    settings = load_settings()
    assert settings.database == url and settings.on_postgres
    assert "hunter2" not in repr(settings)
    monkeypatch.setenv("DATABASE_URL", "mysql://suara:hunter2-secret@db/suara")
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert "DATABASE_URL" in str(err.value) and "hunter2" not in str(err.value)


# -- .env as the operator wrote it (the review's findings) ----------------------------------

def test_misspelt_names_in_dotenv_are_warned_with_the_setting_meant(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".env").write_text(
        "DATABSE_PATH=other.db\nLOG_LEVL=DEBUG\nADMIN_ID=1\n# a comment\n"
        "DATABSE_URL=postgresql://u:pw@h/d\nCOMPOSE_PROFILES=scale\nPOSTGRES_PASSWORD=pw\n"
        "SOMETHING_ELSE=1\nlog_format=json\n")
    settings = load_settings()
    assert settings.database_path == Path("data/suara.db") and settings.log_format == "json"
    assert capsys.readouterr().err.splitlines() == [
        "warning: .env line 1: DATABSE_PATH is not a setting and is ignored; did you mean DATABASE_PATH?",
        "warning: .env line 2: LOG_LEVL is not a setting and is ignored; did you mean LOG_LEVEL?",
        "warning: .env line 3: ADMIN_ID is not a setting and is ignored; did you mean ADMIN_IDS?",
        "warning: .env line 5: DATABSE_URL is not a setting and is ignored; did you mean DATABASE_URL?"]


def test_the_rest_of_the_environment_is_not_warned_about(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LOG_LEVL", "DEBUG")
    load_settings()
    assert capsys.readouterr().err == ""


def test_a_broken_dotenv_line_is_named_not_reported_as_unset(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f'LOG_LEVEL=INFO\nBOT_TOKEN="{TOKEN}\nTIMEZONE=Asia/Jakarta\n')
    with pytest.raises(SettingsError) as info:
        load_settings()
    message = str(info.value)
    assert message == (".env line 2: BOT_TOKEN=... cannot be read (a quote left open, or not "
                       "NAME=value)")
    assert TOKEN.split(":")[1] not in message
