-- Source verification (issue 15): every `warta sources check` is kept with its report, and the
-- entry it checked, so that "verified" is a fact with a date. A check of an older version of
-- the entry does not vouch for the current one: the view says 'stale' then.

CREATE TABLE source_checks (
    id            bigserial PRIMARY KEY,
    source_id     text NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    checked_at    timestamptz NOT NULL DEFAULT now(),
    passed        boolean NOT NULL,
    failed_gates  text[] NOT NULL DEFAULT '{}',
    summary       text NOT NULL,
    report        jsonb NOT NULL,     -- per sampled page: url, gates passed, failure details
    config        jsonb NOT NULL      -- sources.config at the time of the check
);
CREATE INDEX source_checks_latest_idx ON source_checks (source_id, checked_at DESC, id DESC);

-- The latest check of each source and what it means for the entry as it is now:
-- verified | failing | stale (the entry changed since) | unverified (never checked).
CREATE VIEW source_verification AS
SELECT s.id AS source_id,
       CASE WHEN c.id IS NULL THEN 'unverified'
            WHEN c.config IS DISTINCT FROM s.config THEN 'stale'
            WHEN c.passed THEN 'verified'
            ELSE 'failing' END AS verification,
       c.checked_at,
       c.passed,
       c.failed_gates,
       c.summary,
       c.report
FROM sources s
LEFT JOIN LATERAL (
    SELECT * FROM source_checks k WHERE k.source_id = s.id
    ORDER BY k.checked_at DESC, k.id DESC LIMIT 1
) c ON true;
