-- Several processes on one PostgreSQL (issue 21): one content version for all, and one answer
-- model trained for it (bot/reload.py, bot/faq/shared.py, storage/content_state.py and
-- storage/model_cache.py). SQLite (one process) creates these tables and never uses them: its
-- model stays in files beside the database.
--
-- The content every process serves: the fingerprint of the content files, set by
-- `python -m bot content reload` and by a process that starts or reloads (the latest wins),
-- announced with NOTIFY suara_content.
CREATE TABLE content_version (
    one        INTEGER PRIMARY KEY CHECK (one = 1),
    version    TEXT    NOT NULL,
    generation INTEGER NOT NULL,
    set_at     TEXT    NOT NULL,
    set_by     TEXT    NOT NULL
);
-- The answer model's stages, pickled, keyed by the fingerprint of what each learned from, and
-- signed (HMAC with a key derived from BOT_TOKEN): trained by one process, read by the others.
CREATE TABLE model_cache (
    key        TEXT    PRIMARY KEY,
    data       BLOB    NOT NULL,
    signature  TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
-- Sentence vectors of the samples the model trains on, per text (float32 bytes, no pickle),
-- so that training for changed content embeds only the texts that changed, on any host.
CREATE TABLE sentence_vectors (
    model      TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    vector     BLOB    NOT NULL,
    PRIMARY KEY (model, key)
) WITHOUT ROWID;
