-- The question a citizen waits to have answered once they say their region (a province
-- deployment asks "where do you vote?" first). On the user's row, so that the typed answer is
-- understood by whichever process receives it, and read with the row that every update reads
-- already: no round trip of its own. NULL when nothing waits.
ALTER TABLE users ADD COLUMN waiting_entry TEXT;
