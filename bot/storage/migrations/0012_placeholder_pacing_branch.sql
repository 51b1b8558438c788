-- Placeholder on branch `pacing` only: migration 0012 belongs to another branch of issue 21.
-- The lead drops this file when merging (migrations must be numbered without gaps).
SELECT 1;
