"""Suara: a Telegram bot for public voter education."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def bundled_content() -> Path:
    """The election content shipped with the bot: inside the installed package (a wheel carries
    content/ as bot/bundled_content), or content/ beside bot/ in a source checkout."""
    packaged = Path(__file__).resolve().parent / "bundled_content"
    return packaged if (packaged / "election.yaml").is_file() else PROJECT_ROOT / "content"
