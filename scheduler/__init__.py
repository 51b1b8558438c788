"""Scheduled broadcasts: the content calendar -> occurrences in the database -> APScheduler jobs."""
