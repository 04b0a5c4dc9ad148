-- Article URLs that were discovered but could not be fetched or extracted yet. A conditional
-- GET of the feed (304) would otherwise hide them for good; the pipeline retries them with
-- backoff until they succeed or run out of attempts, so a bad page is retried, never lost.
CREATE TABLE pending_urls (
    url              text PRIMARY KEY,
    source_id        text NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    via              text NOT NULL,
    hints            jsonb NOT NULL DEFAULT '{}',   -- what the feed said (title, date, summary)
    first_seen_at    timestamptz NOT NULL DEFAULT now(),
    attempts         integer NOT NULL DEFAULT 0,
    last_error_kind  text,
    last_error       text,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    gave_up          boolean NOT NULL DEFAULT false
);
CREATE INDEX pending_urls_due_idx ON pending_urls (source_id, next_attempt_at) WHERE NOT gave_up;
