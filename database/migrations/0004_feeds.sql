-- The read side's needs: an ingestion order that keyset cursors can walk without gaps while
-- writers commit concurrently, a change time for Last-Modified, and full-text search.

-- Ingestion order. A bigserial id is taken at INSERT, but transactions commit in another
-- order, so a reader that passed id 101 could later see 100 appear behind it. Each row records
-- the id of the transaction that inserted it instead; readers only go up to the oldest
-- transaction still running (pg_snapshot_xmin of their snapshot), below which no row can appear
-- any more. Order is (ingest_xid, id): the id orders rows of one transaction.
ALTER TABLE articles ADD COLUMN ingest_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX articles_ingest_idx ON articles (ingest_xid, id);
CREATE INDEX articles_source_ingest_idx ON articles (source_id, ingest_xid, id);

-- The link tables carry the article's order too, so a region or topic feed pages through one
-- index range. Copied from the article (not the link's own transaction): re-linking an updated
-- article must not move it in the order, or a poller would see it twice.
ALTER TABLE article_regions ADD COLUMN ingest_xid xid8;
ALTER TABLE article_topics ADD COLUMN ingest_xid xid8;
UPDATE article_regions l SET ingest_xid = a.ingest_xid FROM articles a WHERE a.id = l.article_id;
UPDATE article_topics l SET ingest_xid = a.ingest_xid FROM articles a WHERE a.id = l.article_id;

CREATE FUNCTION warta_link_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT a.ingest_xid INTO NEW.ingest_xid FROM articles a WHERE a.id = NEW.article_id;
    RETURN NEW;
END
$$;
CREATE TRIGGER article_regions_order BEFORE INSERT OR UPDATE OF article_id ON article_regions
    FOR EACH ROW EXECUTE FUNCTION warta_link_order();
CREATE TRIGGER article_topics_order BEFORE INSERT OR UPDATE OF article_id ON article_topics
    FOR EACH ROW EXECUTE FUNCTION warta_link_order();
ALTER TABLE article_regions ALTER COLUMN ingest_xid SET NOT NULL;
ALTER TABLE article_topics ALTER COLUMN ingest_xid SET NOT NULL;
CREATE INDEX article_regions_ingest_idx ON article_regions (region, ingest_xid, article_id);
CREATE INDEX article_topics_ingest_idx ON article_topics (topic, ingest_xid, article_id);

-- When a row's published content last changed (Last-Modified of the feeds showing it).
-- clock_timestamp, not now(): a long transaction must not stamp a change in the past.
-- checked_at and other bookkeeping columns do not count as a change.
ALTER TABLE articles ADD COLUMN changed_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE articles ALTER COLUMN changed_at SET DEFAULT clock_timestamp();
CREATE FUNCTION warta_article_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.url, NEW.canonical_url, NEW.source_id, NEW.title, NEW.summary, NEW.text,
        NEW.authors, NEW.published_at, NEW.updated_at, NEW.lang, NEW.image, NEW.image_caption,
        NEW.section, NEW.tags, NEW.place, NEW.region, NEW.regency, NEW.topics, NEW.related,
        NEW.duplicate_of)
       IS DISTINCT FROM
       (OLD.url, OLD.canonical_url, OLD.source_id, OLD.title, OLD.summary, OLD.text,
        OLD.authors, OLD.published_at, OLD.updated_at, OLD.lang, OLD.image, OLD.image_caption,
        OLD.section, OLD.tags, OLD.place, OLD.region, OLD.regency, OLD.topics, OLD.related,
        OLD.duplicate_of)
    THEN
        NEW.changed_at := clock_timestamp();
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER articles_changed BEFORE UPDATE ON articles
    FOR EACH ROW EXECUTE FUNCTION warta_article_changed();

-- Full-text search for `q`. The unaccent extension is not in every PostgreSQL build (the
-- embedded pgserver 16.2 ships no contrib modules), so accents are folded in plain SQL:
-- decompose (NFD), drop the combining marks, lower-case, and map the few letters that do not
-- decompose. (translate() over a table of accented letters was 20x slower on article text.)
-- The 'simple' configuration has no stemming and no stop words, which suits Indonesian
-- (English stemmers would mangle it). Needs a UTF8 database, as all of Warta does.
CREATE FUNCTION warta_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN translate(lower(regexp_replace(normalize($1, NFD), '[\u0300-\u036f]', '', 'g')),
                     'øđłħıŧ', 'odlhit');
ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple'::regconfig,
                warta_fold(title || ' ' || coalesce(summary, '') || ' ' || text))
) STORED;
CREATE INDEX articles_search_idx ON articles USING gin (search);
