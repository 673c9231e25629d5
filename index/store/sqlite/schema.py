"""The SQLite schema, as migrations applied in order (PRAGMA user_version counts them)."""

# Porter stemming lets "shelled" match "shelling"; diacritics removed so "Zelenskiy" matches typed variants.
_TOKENIZER = "porter unicode61 remove_diacritics 2"

MIGRATIONS: tuple[str, ...] = (
    f"""
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        url TEXT,
        source TEXT,
        published TEXT,
        content_hash TEXT NOT NULL,
        origin TEXT,
        ingested_at TEXT NOT NULL
    );
    CREATE INDEX articles_url ON articles(url);
    -- AUTOINCREMENT so a deleted row id is never reused: FAISS ids must stay unique forever.
    CREATE TABLE sentences (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        paragraph INTEGER NOT NULL,
        text TEXT NOT NULL,
        embedding BLOB NOT NULL,
        UNIQUE (article_id, position)
    );
    CREATE TABLE chunks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        first INTEGER NOT NULL,
        last INTEGER NOT NULL,
        text TEXT NOT NULL,
        embedding BLOB NOT NULL
    );
    CREATE INDEX chunks_article ON chunks(article_id);
    CREATE VIRTUAL TABLE sentences_fts USING fts5(
        text, content='sentences', content_rowid='id', tokenize='{_TOKENIZER}');
    CREATE VIRTUAL TABLE chunks_fts USING fts5(
        text, content='chunks', content_rowid='id', tokenize='{_TOKENIZER}');
    CREATE TRIGGER sentences_ai AFTER INSERT ON sentences BEGIN
        INSERT INTO sentences_fts(rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER sentences_ad AFTER DELETE ON sentences BEGIN
        INSERT INTO sentences_fts(sentences_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
        INSERT INTO chunks_fts(rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
        INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    """,
    """
    -- NULL is the operator's library, seen by every scope; a scope's articles are stored as "<scope>/<id>".
    ALTER TABLE articles ADD COLUMN scope TEXT;
    CREATE INDEX articles_scope ON articles(scope);
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        asked_at TEXT NOT NULL,
        scope TEXT,
        question TEXT NOT NULL,
        abstained INTEGER NOT NULL,
        top_score REAL,
        sentence_ids TEXT NOT NULL  -- JSON list of the quoted sentences' row ids
    );
    CREATE INDEX questions_scope ON questions(scope, abstained);
    CREATE TABLE feedback (
        question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
        user_hash TEXT NOT NULL,
        vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
        created_at TEXT NOT NULL,
        PRIMARY KEY (question_id, user_hash)
    );
    """,
    """
    -- Near-duplicates (index/ingest/duplicates.py): a copy keeps its row and text but none of its sentences.
    -- No foreign key on original_id: replacing an original deletes and re-inserts it, which would take its copies.
    CREATE TABLE copies (
        id TEXT PRIMARY KEY,
        original_id TEXT NOT NULL,
        scope TEXT,
        title TEXT NOT NULL,
        url TEXT,
        source TEXT,
        published TEXT,
        content_hash TEXT NOT NULL,
        origin TEXT,
        ingested_at TEXT NOT NULL,
        similarity REAL NOT NULL,
        text BLOB NOT NULL  -- zlib: kept so a copy can take its original's place when that is removed
    );
    CREATE INDEX copies_original ON copies(original_id);
    CREATE INDEX copies_url ON copies(url);
    CREATE TABLE signatures (
        article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        signature BLOB NOT NULL,  -- MinHash of the title and text
        size INTEGER NOT NULL     -- how many shingles it summarises
    );
    -- LSH: articles sharing a band key are the only ones compared with a newcomer.
    CREATE TABLE signature_bands (
        key INTEGER NOT NULL,
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE
    );
    CREATE INDEX signature_bands_key ON signature_bands(key);
    CREATE INDEX signature_bands_article ON signature_bands(article_id);
    """,
    """
    -- Feeds the library follows (index/store/sqlite/feeds.py); scope as for articles: NULL is the operator's library.
    CREATE TABLE feeds (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        scope TEXT,
        url TEXT NOT NULL,
        title TEXT,
        added_at TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        checked_at TEXT,
        next_check TEXT NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        articles INTEGER NOT NULL DEFAULT 0
    );
    -- ifnull: UNIQUE treats NULLs as distinct, and the operator's library must not follow a feed twice.
    CREATE UNIQUE INDEX feeds_scope_url ON feeds(ifnull(scope, ''), url);
    -- Items already read (article_id set) or tried (attempts), so a restart does not fetch them again.
    CREATE TABLE feed_items (
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        article_id TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_seen TEXT NOT NULL,
        PRIMARY KEY (feed_id, key)
    );
    """,
    """
    -- Bylines; NULL when the source names no author. A copy keeps its own, for when it takes its original's place.
    ALTER TABLE articles ADD COLUMN author TEXT;
    ALTER TABLE copies ADD COLUMN author TEXT;
    """,
    """
    -- When a feed's server answered 410 Gone: such a feed is never polled again, and listed as gone until removed.
    ALTER TABLE feeds ADD COLUMN gone_at TEXT;
    """,
    """
    -- A scope's articles and copies were stored as "<scope>/<id>", which the operator's id "<scope>/<id>" could
    -- equal; they are now "<scope>" U+001F "<id>", a control character no id holds (index/store/scopes.py). Children
    -- first, then the rows they point at; foreign keys are checked at COMMIT.
    PRAGMA defer_foreign_keys = ON;
    CREATE TEMP TABLE renamed (old TEXT PRIMARY KEY, new TEXT NOT NULL);
    INSERT OR IGNORE INTO renamed SELECT id, scope || char(31) || substr(id, length(scope) + 2) FROM articles
        WHERE scope IS NOT NULL;
    INSERT OR IGNORE INTO renamed SELECT id, scope || char(31) || substr(id, length(scope) + 2) FROM copies
        WHERE scope IS NOT NULL;
    UPDATE sentences SET article_id = (SELECT new FROM renamed WHERE old = article_id)
        WHERE article_id IN (SELECT old FROM renamed);
    UPDATE chunks SET article_id = (SELECT new FROM renamed WHERE old = article_id)
        WHERE article_id IN (SELECT old FROM renamed);
    UPDATE signatures SET article_id = (SELECT new FROM renamed WHERE old = article_id)
        WHERE article_id IN (SELECT old FROM renamed);
    UPDATE signature_bands SET article_id = (SELECT new FROM renamed WHERE old = article_id)
        WHERE article_id IN (SELECT old FROM renamed);
    UPDATE copies SET original_id = (SELECT new FROM renamed WHERE old = original_id)
        WHERE scope IS NOT NULL AND original_id IN (SELECT old FROM renamed);
    UPDATE copies SET id = (SELECT new FROM renamed WHERE old = id) WHERE scope IS NOT NULL;
    UPDATE articles SET id = (SELECT new FROM renamed WHERE old = id) WHERE scope IS NOT NULL;
    DROP TABLE renamed;
    """,
    """
    -- Topics followed (index/store/sqlite/follows.py): scope as for feeds; target names who is told, in the front end's
    -- words ("cli", "channel:123"); key is the topic case-folded, so one target follows a topic once.
    CREATE TABLE follows (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        scope TEXT,
        target TEXT NOT NULL,
        topic TEXT NOT NULL,
        key TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX follows_once ON follows(ifnull(scope, ''), target, key);
    -- One alert per follow and article (its stored id), with the sentence quoted; delivered_at once told.
    CREATE TABLE alerts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        follow_id INTEGER NOT NULL REFERENCES follows(id) ON DELETE CASCADE,
        article_id TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at TEXT NOT NULL,
        delivered_at TEXT,
        UNIQUE (follow_id, article_id)
    );
    CREATE INDEX alerts_pending ON alerts(follow_id) WHERE delivered_at IS NULL;
    """,
    """
    -- Until when a bot process holds an alert it is telling (index/store/sqlite/follows.py pending): another process
    -- of the same shards, such as a restart overlapping the old one, leaves it alone meanwhile. NULL: nobody holds it.
    ALTER TABLE alerts ADD COLUMN claimed_until TEXT;
    """,
)
