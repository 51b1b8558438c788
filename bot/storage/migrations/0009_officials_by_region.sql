-- Officials by region (issue 20): a role may be scoped to one kabupaten/kota (its code, e.g.
-- 16.03; NULL = the whole deployment). ADMIN_IDS stay super-admins of the whole deployment.
ALTER TABLE officials ADD COLUMN region TEXT;

-- The asker's kabupaten/kota code of a question the bot could not answer (NULL: not known),
-- so that a regional official reads their region's. Nothing finer than the kabupaten/kota,
-- and still no user id.
ALTER TABLE unanswered_questions ADD COLUMN region TEXT;
CREATE INDEX unanswered_questions_region ON unanswered_questions (region, id);

-- A campaign may be regional: made by a regional campaign manager, it carries their region.
ALTER TABLE campaigns ADD COLUMN region TEXT;

-- Daily counters keep their key: the `kecamatan` column holds the citizen's kecamatan code, or
-- their kabupaten/kota code when that is all they chose; either begins with the kabupaten/kota.
