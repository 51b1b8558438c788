"""Suara: a Telegram bot for public voter education."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
