-- Learned site templates (issue 13): one learned layout per source, and a bounded set of recent
-- article pages per source to learn it from.

CREATE TABLE learned_templates (
    source_id     text PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
    -- {"title": [css], "body": [css], "date": [css], "author": [css], "remove": [css],
    --  "hits": {"body": share, ...}}
    layout        jsonb NOT NULL,
    page_urls     text[] NOT NULL,
    confidence    real NOT NULL,
    learned_at    timestamptz NOT NULL DEFAULT now(),
    -- Pages read since it was learned, and how many of them its body selector missed: drift.
    pages_read    integer NOT NULL DEFAULT 0,
    pages_missed  integer NOT NULL DEFAULT 0
);

CREATE TABLE template_pages (
    source_id   text NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    url         text NOT NULL,
    html        text NOT NULL,
    fetched_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_id, url)
);
CREATE INDEX template_pages_recent ON template_pages (source_id, fetched_at DESC);
