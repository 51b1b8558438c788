-- Several processes on one PostgreSQL (issue 21): a super-admin's /petugas opens five minutes
-- in which a forwarded message picks the official to give a role to. That window lived in one
-- process's memory, so a forward reaching another process (or the same after a restart) was
-- checked as a citizen's claim. It is now the official's session's (an ISO time, NULL: none).
ALTER TABLE official_sessions ADD COLUMN picking_until TEXT;
