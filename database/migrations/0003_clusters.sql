-- Duplicate clustering and updates: where the story happened by its dateline (to pick the
-- originating bureau as a cluster's canonical article), a fingerprint index for the
-- near-duplicate search, and the time an update was last checked.
ALTER TABLE articles ADD COLUMN dateline_province text;
ALTER TABLE articles ADD COLUMN checked_at timestamptz;
CREATE INDEX articles_simhash_window_idx ON articles (published_at) WHERE simhash IS NOT NULL;
CREATE INDEX articles_recheck_idx ON articles (source_id, published_at DESC);
