-- The change stream (GET /api/v1/changes): every insert, update and deletion of an article,
-- exactly once and in commit order, and the time a correction was seen (feed entries' updated).

-- Triggers write the log, so no writer (retention, clustering, a cascade, a psql session) can
-- forget to. A row per change: the article's id and URL (a deletion's tombstone needs them);
-- readers take the record itself from articles, as it is when they read.
CREATE TABLE article_changes (
    id          bigserial PRIMARY KEY,            -- orders the changes of one transaction
    xid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
    article_id  bigint NOT NULL,                  -- no foreign key: tombstones outlive the row
    change      text NOT NULL CHECK (change IN ('insert', 'update', 'delete')),
    url         text NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX article_changes_xid_idx ON article_changes (xid, id);
CREATE INDEX article_changes_deleted_idx ON article_changes (article_id) WHERE change = 'delete';
CREATE INDEX article_changes_age_idx ON article_changes (changed_at);

-- Commit order. Ids and xids are handed out when a transaction starts writing, and
-- transactions commit in another order, so neither can be a cursor: a reader past 101 would
-- never see 100 commit later. Each writing transaction gets one row here, and its number is
-- drawn as it commits, under a lock held until the commit is visible (locks are released
-- after that). The next writer draws only after ours is visible, so a reader that sees
-- number n sees every committed number below it: `seq > cursor` never skips a change, and a
-- transaction left idle or a crashed one holds nothing back.
CREATE SEQUENCE change_commit_seq AS bigint;
CREATE TABLE change_commits (
    xid  xid8 PRIMARY KEY,
    seq  bigint UNIQUE                            -- null only while the transaction runs
);

-- How far retention has pruned the log (ingestor.store.changes): a cursor not past this
-- number may have missed changes, so its poller must start over.
CREATE TABLE change_log_state (
    one             boolean PRIMARY KEY DEFAULT true CHECK (one),
    pruned_through  bigint NOT NULL DEFAULT 0
);
INSERT INTO change_log_state DEFAULT VALUES;

CREATE FUNCTION warta_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    me xid8 := pg_current_xact_id();
    row_id bigint;
    row_url text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        row_id := OLD.id; row_url := OLD.url;
    ELSE
        row_id := NEW.id; row_url := NEW.url;
    END IF;
    -- One commit row per transaction; the setting (local to the transaction, undone with a
    -- rolled-back savepoint like the insert) saves a lookup on every further change.
    IF current_setting('warta.change_xid', true) IS DISTINCT FROM me::text THEN
        INSERT INTO change_commits (xid) VALUES (me) ON CONFLICT DO NOTHING;
        PERFORM set_config('warta.change_xid', me::text, true);
    END IF;
    INSERT INTO article_changes (article_id, change, url) VALUES (row_id, lower(TG_OP), row_url);
    RETURN NULL;
END
$$;
CREATE TRIGGER articles_log_insert_delete AFTER INSERT OR DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION warta_log_change();
-- changed_at moves only when published content changes (warta_article_changed, 0004):
-- bookkeeping such as checked_at is not a change a poller could see.
CREATE TRIGGER articles_log_update AFTER UPDATE ON articles
    FOR EACH ROW WHEN (OLD.changed_at IS DISTINCT FROM NEW.changed_at)
    EXECUTE FUNCTION warta_log_change();

-- Any constant works as long as every Warta process uses the same one ("WARCS").
CREATE FUNCTION warta_stamp_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(374826324819);
    UPDATE change_commits SET seq = nextval('change_commit_seq') WHERE xid = NEW.xid;
    RETURN NULL;
END
$$;
-- Deferred: fires while the transaction commits, after all its other work.
CREATE CONSTRAINT TRIGGER change_commits_stamp AFTER INSERT ON change_commits
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION warta_stamp_commit();

-- TRUNCATE fires no row triggers: a log about articles that vanished unseen would mislead,
-- so it goes too, and every cursor handed out so far expires (its poller starts over).
CREATE FUNCTION warta_truncate_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE article_changes, change_commits;
    UPDATE change_log_state SET pruned_through = greatest(
        pruned_through, (SELECT CASE WHEN is_called THEN last_value ELSE 0 END
                         FROM change_commit_seq));
    RETURN NULL;
END
$$;
CREATE TRIGGER articles_truncate_changes AFTER TRUNCATE ON articles
    FOR EACH STATEMENT EXECUTE FUNCTION warta_truncate_changes();

-- What is already stored enters the stream as inserts, in ingestion order, so a poller that
-- starts from nothing ends with everything.
INSERT INTO change_commits (xid) SELECT pg_current_xact_id() WHERE EXISTS (SELECT 1 FROM articles);
INSERT INTO article_changes (article_id, change, url, changed_at)
SELECT id, 'insert', url, changed_at FROM articles ORDER BY ingest_xid, id;

-- When Warta saw a correction the page did not date (newsrooms often fix a story without
-- touching dateModified): feed entries show it as their updated time.
ALTER TABLE articles ADD COLUMN revised_at timestamptz;
