"""The user's own settings and data: language, tracking, deletion."""
