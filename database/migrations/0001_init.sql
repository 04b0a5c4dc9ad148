-- Warta's first schema: the source catalogue with schedule state and health, per-URL fetch
-- state, articles (every field of the CONTRACT article record), their region/topic links,
-- the region/topic catalogues the read side lists, and an ingestion log.

CREATE TABLE regions (
    key        text PRIMARY KEY,             -- 'kalsel' or 'kalsel/tapin'
    slug       text NOT NULL,                -- 'kalsel' or 'tapin'
    province   text NOT NULL,                -- province slug (itself for a province)
    kind       text NOT NULL CHECK (kind IN ('province', 'regency', 'city')),
    name       text NOT NULL,
    iso_code   text,
    timezone   text,
    aliases    text[] NOT NULL DEFAULT '{}',
    UNIQUE (province, slug, kind)
);

CREATE TABLE topics (
    slug     text PRIMARY KEY,
    name_id  text NOT NULL,
    name_en  text NOT NULL
);

CREATE TABLE sources (
    id                    text PRIMARY KEY,
    name                  text NOT NULL,
    base_url              text NOT NULL,
    province              text,
    timezone              text NOT NULL,
    lang                  text NOT NULL DEFAULT 'id',
    republish             text NOT NULL DEFAULT 'summary'
                          CHECK (republish IN ('title', 'summary', 'full')),
    rights                text,
    config                jsonb NOT NULL,        -- the validated catalogue entry
    enabled               boolean NOT NULL DEFAULT true,
    poll_min_seconds      integer NOT NULL DEFAULT 300,
    poll_max_seconds      integer NOT NULL DEFAULT 3600,
    -- schedule state: due-ness and leases live here, not in a scheduler job store
    next_run_at           timestamptz NOT NULL DEFAULT now(),
    poll_interval_seconds integer,
    lease_owner           text,
    lease_expires_at      timestamptz,
    -- health
    health                text NOT NULL DEFAULT 'ok'
                          CHECK (health IN ('ok', 'degraded', 'failing', 'disabled')),
    disabled_reason       text,
    last_run_at           timestamptz,
    last_success_at       timestamptz,
    last_error_at         timestamptz,
    last_error_kind       text,
    last_error_message    text,
    consecutive_failures  integer NOT NULL DEFAULT 0,
    circuit_open_until    timestamptz,
    articles_last_run     integer,
    stats                 jsonb NOT NULL DEFAULT '{}',
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sources_due_idx ON sources (next_run_at) WHERE enabled;

CREATE TABLE fetch_state (
    url              text PRIMARY KEY,
    source_id        text REFERENCES sources (id) ON DELETE CASCADE,
    etag             text,
    last_modified    text,
    last_status      integer,
    last_fetched_at  timestamptz,
    expires_at       timestamptz
);

CREATE TABLE articles (
    id               bigserial PRIMARY KEY,
    identity         text NOT NULL UNIQUE,      -- ANTARA: host + numeric id; else canonical URL
    url              text NOT NULL,
    canonical_url    text NOT NULL,
    source_id        text NOT NULL REFERENCES sources (id),
    title            text NOT NULL,
    summary          text,
    text             text NOT NULL DEFAULT '',
    authors          text[] NOT NULL DEFAULT '{}',
    published_at     timestamptz NOT NULL,      -- UTC; first-seen time when the page had none
    published_raw    text,
    date_source      text NOT NULL
                     CHECK (date_source IN ('jsonld', 'meta', 'page', 'rss', 'sitemap', 'url', 'first_seen')),
    updated_at       timestamptz,
    first_seen_at    timestamptz NOT NULL DEFAULT now(),
    ingested_at      timestamptz NOT NULL DEFAULT now(),
    lang             text,
    image            text,
    image_caption    text,
    section          text,
    tags             text[] NOT NULL DEFAULT '{}',
    place            text,
    region           text,                      -- province slug
    regency          text,                      -- regency/city slug or null
    topics           text[] NOT NULL DEFAULT '{}',
    related          jsonb NOT NULL DEFAULT '[]',
    provenance       jsonb NOT NULL DEFAULT '{}',
    content_hash     text NOT NULL,
    previous_hashes  text[] NOT NULL DEFAULT '{}',
    simhash          bigint,
    duplicate_of     bigint REFERENCES articles (id) ON DELETE SET NULL
);
CREATE INDEX articles_newest_idx ON articles (published_at DESC, id DESC);
CREATE INDEX articles_source_newest_idx ON articles (source_id, published_at DESC, id DESC);
CREATE INDEX articles_region_newest_idx ON articles (region, published_at DESC, id DESC);
CREATE INDEX articles_url_idx ON articles (url);
CREATE INDEX articles_canonical_idx ON articles (canonical_url);
CREATE INDEX articles_content_hash_idx ON articles (content_hash);
CREATE INDEX articles_duplicate_of_idx ON articles (duplicate_of) WHERE duplicate_of IS NOT NULL;

-- Links carry published_at so "newest N for a region / topic" is one index range scan.
CREATE TABLE article_regions (
    article_id    bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    region        text NOT NULL,               -- regions.key: 'kalsel' or 'kalsel/tapin'
    reason        text NOT NULL,               -- source | dateline | mention
    published_at  timestamptz NOT NULL,
    PRIMARY KEY (article_id, region)
);
CREATE INDEX article_regions_newest_idx ON article_regions (region, published_at DESC, article_id DESC);

CREATE TABLE article_topics (
    article_id    bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    topic         text NOT NULL,
    score         real NOT NULL DEFAULT 1.0,
    reason        text NOT NULL,               -- section | keywords
    published_at  timestamptz NOT NULL,
    PRIMARY KEY (article_id, topic)
);
CREATE INDEX article_topics_newest_idx ON article_topics (topic, published_at DESC, article_id DESC);

CREATE TABLE ingestion_log (
    id             bigserial PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    source_id      text REFERENCES sources (id) ON DELETE CASCADE,
    run_id         text,
    event          text NOT NULL,              -- fetch | article | run | error
    url            text,
    status         integer,
    not_modified   boolean,
    bytes          integer,
    elapsed_ms     integer,
    error_kind     text,
    message        text
);
CREATE INDEX ingestion_log_source_idx ON ingestion_log (source_id, at DESC);
