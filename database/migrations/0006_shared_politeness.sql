-- Politeness across processes. Per-origin limits used to live in each process's memory, so two
-- processes running two sources of one host could each use the whole budget. The ledger below
-- is what every process consults before a request; the fetcher reaches it through the
-- schedule stage (ingestor/store/origins.py holds the SQL).

-- Spacing: one row per origin. A request reserves its start with one UPDATE (the row lock
-- queues concurrent reservations), at least the gap after the previous start and not before
-- the time the previous reservation left, which includes its random jitter.
CREATE TABLE origins (
    origin         text PRIMARY KEY,                      -- scheme://host:port
    last_start_at  timestamptz NOT NULL DEFAULT '-infinity',
    next_start_at  timestamptz NOT NULL DEFAULT '-infinity'
);

-- Concurrency: numbered places per origin, each held under a lease so that a process killed
-- mid-request cannot keep its place; a place whose lease ran out is free.
CREATE TABLE origin_slots (
    origin      text NOT NULL,
    slot        integer NOT NULL,
    holder      text,
    expires_at  timestamptz,
    PRIMARY KEY (origin, slot)
);

-- Retry-After, kept per (origin, source) as in memory: one throttled feed must not stall the
-- other sources of its host, but the source's next run, in whichever process, keeps to it.
CREATE TABLE origin_deferrals (
    origin     text NOT NULL,
    source_id  text NOT NULL,
    until      timestamptz NOT NULL,
    PRIMARY KEY (origin, source_id)
);
