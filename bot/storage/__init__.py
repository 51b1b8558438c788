"""The only place that speaks SQL: connection, numbered migrations, small async functions."""

from bot.storage.db import Database, MigrationError, open_database

__all__ = ["Database", "MigrationError", "open_database"]
