-- Filtered feeds that stay fast when their filters rarely meet (issue 14).
-- A feed asking for a word (`q`) within a region or topic walks the newest articles of that
-- region or topic until the page fills. When the word and the topic rarely go together (a
-- sports word in the economy feed), that walk covers the whole `since` window: seconds at a
-- million articles. The query planner cannot see it coming (it multiplies the selectivities
-- as if they were independent), so the feed reader walks a bounded stretch first and then
-- asks this index, where PostgreSQL intersects the posting lists of the word, the regions
-- and the topics, and reads only the articles that have them all.
--
-- `facets` copies the article's region keys ('r:kalsel', 'r:kalsel/tapin') and topic slugs
-- ('t:ekonomi') from the link tables, and its source ('s:antara-kalsel'); the store writes both in one statement (database/facets.py
-- says the format). One GIN index over (facets, search) replaces the search-only one: GIN
-- serves a condition on any subset of its columns, and one index means one scan that ANDs them.
--
-- On a large existing table this rewrites every row once and builds the index under a lock
-- that blocks writes; run it in a quiet hour (about a minute per million articles here).
ALTER TABLE articles ADD COLUMN facets text[] NOT NULL DEFAULT '{}';

UPDATE articles a SET facets = f.facets
FROM (
    SELECT article_id, array_agg(facet ORDER BY facet) AS facets
    FROM (SELECT article_id, 'r:' || region AS facet FROM article_regions
          UNION ALL
          SELECT article_id, 't:' || topic FROM article_topics
          UNION ALL
          SELECT id, 's:' || source_id FROM articles) links
    GROUP BY article_id
) f
WHERE a.id = f.article_id;

DROP INDEX articles_search_idx;
CREATE INDEX articles_facets_search_idx ON articles USING gin (facets, search);

-- The date of an empty feed is its scope's latest change (feeds.query.empty_feed_date): read
-- backwards along this index until an article of the scope turns up.
CREATE INDEX articles_changed_idx ON articles (changed_at);
