"""The library's PostgreSQL schema as numbered migrations (a front end's own tables are its side database's)."""

# Migration 1 is the library as SQLite has it after its nine migrations (index/store/sqlite/schema.py), in PostgreSQL's
# types: timestamps as timestamptz, days as date, flags as boolean, id lists as arrays.
LIBRARY_MIGRATIONS: tuple[str, ...] = ("""
-- As FTS5's "porter unicode61 remove_diacritics 2": English stemming, no stop words (FTS5 has none), hyphenated
-- words indexed as their parts only. Case and diacritics are folded in Python before to_tsvector (text.py).
CREATE TEXT SEARCH DICTIONARY newsbot_stem (TEMPLATE = snowball, LANGUAGE = english);
CREATE TEXT SEARCH CONFIGURATION newsbot (COPY = english);
ALTER TEXT SEARCH CONFIGURATION newsbot ALTER MAPPING FOR asciiword, word, numword, hword_part,
    hword_asciipart, hword_numpart REPLACE english_stem WITH newsbot_stem;
ALTER TEXT SEARCH CONFIGURATION newsbot DROP MAPPING FOR hword, asciihword, numhword;

CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);

CREATE TABLE articles (
    id text PRIMARY KEY,                -- "<scope>" U+001F "<id>" in a scope (index/store/scopes.py)
    title text NOT NULL, url text, source text, published date, content_hash text NOT NULL, origin text,
    ingested_at timestamptz NOT NULL,
    scope text,                         -- NULL: the operator's library, seen by every scope
    author text,
    search_key text NOT NULL            -- fold(title) U+001F fold(source): PostgreSQL 16 has no casefold()
);
CREATE INDEX articles_url ON articles (url);
CREATE INDEX articles_scope ON articles (scope);
CREATE INDEX articles_newest ON articles (published DESC NULLS LAST, ingested_at DESC);

-- Identity ids are never reused, as SQLite's AUTOINCREMENT: answers and the usage log keep sentence ids.
CREATE TABLE sentences (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id text NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position int NOT NULL, paragraph int NOT NULL, text text NOT NULL,
    embedding bytea NOT NULL,           -- float16, as SQLite keeps it (sqlite/blobs.py): read, never searched
    tokens int NOT NULL,                -- BM25's document length (text.token_count)
    tsv tsvector NOT NULL,              -- to_tsvector('newsbot', fold(text)): fold runs in Python, so not GENERATED
    UNIQUE (article_id, position)
);
CREATE INDEX sentences_tsv ON sentences USING gin (tsv);

CREATE TABLE chunks (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id text NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    scope text,                         -- the article's, copied: the vector index is partial on it
    first int NOT NULL, last int NOT NULL, text text NOT NULL,
    tokens int NOT NULL, tsv tsvector NOT NULL,
    embedding vector NOT NULL           -- typed vector(<dimension>) once the first article tells the dimension
);
CREATE INDEX chunks_article ON chunks (article_id);
CREATE INDEX chunks_scope ON chunks (scope) WHERE scope IS NOT NULL;
CREATE INDEX chunks_tsv ON chunks USING gin (tsv);

CREATE TABLE questions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    asked_at timestamptz NOT NULL, scope text, question text NOT NULL,
    question_key text NOT NULL,         -- fold(question): the usage report groups by it
    abstained boolean NOT NULL, top_score double precision,
    sentence_ids bigint[] NOT NULL
);
CREATE INDEX questions_scope ON questions (scope, abstained);
CREATE TABLE feedback (
    question_id bigint NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    user_hash text NOT NULL, vote smallint NOT NULL CHECK (vote IN (-1, 1)), created_at timestamptz NOT NULL,
    PRIMARY KEY (question_id, user_hash)
);

-- No foreign key on original_id: replacing an original deletes and re-inserts it, which would take its copies.
CREATE TABLE copies (
    id text PRIMARY KEY, original_id text NOT NULL, scope text, title text NOT NULL, url text, source text,
    published date, content_hash text NOT NULL, origin text, ingested_at timestamptz NOT NULL,
    similarity double precision NOT NULL,
    text bytea NOT NULL,                -- zlib: kept so a copy can take its original's place when that is removed
    author text
);
CREATE INDEX copies_original ON copies (original_id);
CREATE INDEX copies_url ON copies (url);
CREATE TABLE signatures (
    article_id text PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    signature bytea NOT NULL, size int NOT NULL
);
CREATE TABLE signature_bands (key bigint NOT NULL, article_id text NOT NULL REFERENCES articles (id) ON DELETE CASCADE);
CREATE INDEX signature_bands_key ON signature_bands (key);
CREATE INDEX signature_bands_article ON signature_bands (article_id);

-- NULLS NOT DISTINCT: the operator's library (scope NULL) must not follow a feed, or a topic, twice.
CREATE TABLE feeds (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope text, url text NOT NULL, title text, added_at timestamptz NOT NULL,
    etag text, last_modified text, checked_at timestamptz, next_check timestamptz NOT NULL,
    failures int NOT NULL DEFAULT 0, last_error text, articles int NOT NULL DEFAULT 0, gone_at timestamptz,
    UNIQUE NULLS NOT DISTINCT (scope, url)
);
CREATE INDEX feeds_due ON feeds (next_check) WHERE gone_at IS NULL;
CREATE TABLE feed_items (
    feed_id bigint NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    key text NOT NULL, article_id text, attempts int NOT NULL DEFAULT 0, last_seen timestamptz NOT NULL,
    PRIMARY KEY (feed_id, key)
);

CREATE TABLE follows (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope text, target text NOT NULL, topic text NOT NULL, key text NOT NULL, created_at timestamptz NOT NULL,
    UNIQUE NULLS NOT DISTINCT (scope, target, key)
);
CREATE TABLE alerts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    follow_id bigint NOT NULL REFERENCES follows (id) ON DELETE CASCADE,
    article_id text NOT NULL, text text NOT NULL, created_at timestamptz NOT NULL, delivered_at timestamptz,
    claimed_until timestamptz,          -- a bot process's hold on an alert it is telling (postgres/follows.py)
    UNIQUE (follow_id, article_id)
);
CREATE INDEX alerts_pending ON alerts (follow_id) WHERE delivered_at IS NULL;
""",)
