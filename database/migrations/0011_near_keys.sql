-- An indexed near-duplicate search (issue 14). The candidate search read every fingerprinted
-- article published within 72 hours of a new one (about 290,000 rows per article at 2,000
-- stories an hour) to compare SimHash distances. `near_keys` holds an article's search keys
-- (SimHash blocks and MinHash bands; ingestor/classify/nearkeys.py says which and why) and
-- the search asks the GIN index for articles sharing one, then checks the distance on those.
--
-- Articles stored before this migration have no keys: the search still reads those within
-- the window, through the partial index below; 72 hours after the upgrade none is left in any
-- window, and the index shrinks as retention deletes them. Nothing is rewritten and the new
-- column is empty on existing rows, so the migration is quick on a large table.
ALTER TABLE articles ADD COLUMN near_keys bigint[];
-- Without fastupdate: a GIN index's pending list of new entries is read whole by every search,
-- and this index is searched for every stored article, mostly for keys written minutes before.
CREATE INDEX articles_near_keys_idx ON articles USING gin (near_keys) WITH (fastupdate = off);
CREATE INDEX articles_unkeyed_window_idx ON articles (published_at)
    WHERE near_keys IS NULL AND simhash IS NOT NULL;
DROP INDEX IF EXISTS articles_simhash_window_idx;
