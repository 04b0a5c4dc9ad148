-- Feeds that name a region and a topic walk one index range (issue 14, "Feeds under load").
-- Such a feed used to walk the region's newest articles and keep those of the topic: with one
-- topic in seven, a page of 50 read 350 articles, and a `filter` window of 1,000 read 7,000,
-- the slowest feeds at a million articles. This table holds one row per (region key, topic)
-- an article has, in the feed orders, so the walk reads only the articles it keeps.
--
-- It is derived from articles.facets (database/facets.py: 'r:<region key>', 't:<topic>'),
-- which the store writes with the links in one statement; a trigger keeps it in step, so no
-- writer needs to know it exists. `pair` is '<region key>|<topic slug>' (neither contains '|').
CREATE TABLE article_pairs (
    pair          text NOT NULL,
    article_id    bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    published_at  timestamptz NOT NULL,
    ingest_xid    xid8 NOT NULL,
    PRIMARY KEY (article_id, pair)
);

CREATE FUNCTION warta_article_pairs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (NEW.facets, NEW.published_at) IS NOT DISTINCT FROM (OLD.facets, OLD.published_at) THEN
            RETURN NULL;
        END IF;
        DELETE FROM article_pairs WHERE article_id = NEW.id;
    END IF;
    INSERT INTO article_pairs (pair, article_id, published_at, ingest_xid)
    SELECT substr(r, 3) || '|' || substr(t, 3), NEW.id, NEW.published_at, NEW.ingest_xid
    FROM unnest(NEW.facets) r, unnest(NEW.facets) t
    WHERE r LIKE 'r:%' AND t LIKE 't:%'
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER articles_pairs AFTER INSERT OR UPDATE OF facets, published_at ON articles
    FOR EACH ROW EXECUTE FUNCTION warta_article_pairs();

-- On a large existing table this reads every article once (about half a minute per million
-- here); the indexes are built after the rows, which is faster than row by row.
INSERT INTO article_pairs (pair, article_id, published_at, ingest_xid)
SELECT substr(r, 3) || '|' || substr(t, 3), a.id, a.published_at, a.ingest_xid
FROM articles a, unnest(a.facets) r, unnest(a.facets) t
WHERE r LIKE 'r:%' AND t LIKE 't:%'
ON CONFLICT DO NOTHING;

CREATE INDEX article_pairs_newest_idx ON article_pairs (pair, published_at DESC, article_id DESC);
CREATE INDEX article_pairs_ingest_idx ON article_pairs (pair, ingest_xid, article_id);
