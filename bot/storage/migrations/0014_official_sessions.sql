-- Several processes on one PostgreSQL (issue 21): what an official is in the middle of lives
-- here, not in one process's memory, so a flow that starts on one process goes on when the
-- next update reaches another, and survives a restart (on SQLite too). One row per official:
-- the open announcement draft (JSON, NULL when none) and the progress messages the leader
-- keeps current (a JSON list). Each has its own version, grown by every write of it; a write
-- names the version it read and changes nothing when another write came first
-- (storage/sessions.py).
CREATE TABLE official_sessions (
    user_id          INTEGER PRIMARY KEY,
    draft            TEXT,
    draft_version    INTEGER NOT NULL DEFAULT 0,
    progress         TEXT    NOT NULL DEFAULT '[]',
    progress_version INTEGER NOT NULL DEFAULT 0,
    updated_at       TEXT    NOT NULL
);
