-- Patrols (巡查): the phones' GPS batches, stored compactly, and the
-- per-day analysis the facts read (internal/patrol).

-- +goose Up

-- One row per batch a phone sent; client_id is the phone's UUID, so a
-- resend finds its row and stores nothing.
CREATE TABLE patrol_batches (
    client_id   TEXT PRIMARY KEY,
    worker_id   TEXT NOT NULL REFERENCES workers (id),
    received_at TIMESTAMP NOT NULL,
    points      INTEGER NOT NULL,
    markers     INTEGER NOT NULL
);

-- The raw fixes: one blob per batch and Shanghai day, delta and varint
-- encoded (patrol/codec.go, about 10 bytes a fix). They are the evidence.
CREATE TABLE patrol_chunks (
    worker_id TEXT NOT NULL,
    day       TEXT NOT NULL,
    batch_id  TEXT NOT NULL REFERENCES patrol_batches (client_id),
    points    INTEGER NOT NULL,
    first_at  TIMESTAMP NOT NULL,
    last_at   TIMESTAMP NOT NULL,
    data      BYTEA NOT NULL,
    PRIMARY KEY (worker_id, day, batch_id)
);

-- Explicit start and stop taps; the same tap sent twice is stored once.
CREATE TABLE patrol_markers (
    worker_id TEXT NOT NULL,
    day       TEXT NOT NULL,
    at        TIMESTAMP NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('start', 'stop')),
    batch_id  TEXT NOT NULL REFERENCES patrol_batches (client_id),
    PRIMARY KEY (worker_id, day, at, kind)
);

-- A worker's day: rev counts the batches that touched it, done_rev the one
-- its analysis was made from; rev > done_rev means stale. The figures are
-- the analysis (patrol.Summary).
CREATE TABLE patrol_days (
    worker_id       TEXT NOT NULL REFERENCES workers (id),
    day             TEXT NOT NULL,
    rev             INTEGER NOT NULL,
    done_rev        INTEGER NOT NULL DEFAULT 0,
    points          INTEGER NOT NULL DEFAULT 0,
    counted         INTEGER NOT NULL DEFAULT 0,
    poor_accuracy   INTEGER NOT NULL DEFAULT 0,
    inside_seconds  DOUBLE PRECISION NOT NULL DEFAULT 0,
    tracked_seconds DOUBLE PRECISION NOT NULL DEFAULT 0,
    patrols         INTEGER NOT NULL DEFAULT 0,
    long_patrols    INTEGER NOT NULL DEFAULT 0,
    out_of_area     INTEGER NOT NULL DEFAULT 0,
    cheat_flags     INTEGER NOT NULL DEFAULT 0,
    grids           TEXT NOT NULL DEFAULT '',
    analysed_at     TIMESTAMP,
    PRIMARY KEY (worker_id, day)
);
CREATE INDEX patrol_days_day ON patrol_days (day);
CREATE INDEX patrol_days_stale ON patrol_days (day, worker_id) WHERE rev > done_rev;

-- The patrols of an analysed day; id is worker:day:seq.
CREATE TABLE patrol_segments (
    id              TEXT PRIMARY KEY,
    worker_id       TEXT NOT NULL,
    day             TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    started_at      TIMESTAMP NOT NULL,
    ended_at        TIMESTAMP NOT NULL,
    points          INTEGER NOT NULL,
    inside_seconds  DOUBLE PRECISION NOT NULL,
    tracked_seconds DOUBLE PRECISION NOT NULL,
    is_long         BOOLEAN NOT NULL,
    explicit        BOOLEAN NOT NULL,
    track_hash      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX patrol_segments_day ON patrol_segments (worker_id, day);
CREATE INDEX patrol_segments_hash ON patrol_segments (track_hash) WHERE track_hash <> '';

-- Flags of an analysed day (cheats, and times out of the work area).
CREATE TABLE patrol_flags (
    id        TEXT PRIMARY KEY,
    worker_id TEXT NOT NULL,
    day       TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('mock', 'teleport', 'repeat', 'leave', 'out_of_area')),
    from_at   TIMESTAMP NOT NULL,
    to_at     TIMESTAMP NOT NULL,
    points    INTEGER NOT NULL,
    lat       DOUBLE PRECISION NOT NULL,
    lon       DOUBLE PRECISION NOT NULL,
    detail    TEXT NOT NULL
);
CREATE INDEX patrol_flags_worker ON patrol_flags (worker_id, day);
CREATE INDEX patrol_flags_day ON patrol_flags (day, kind);

-- +goose Down
DROP TABLE patrol_flags;
DROP TABLE patrol_segments;
DROP TABLE patrol_days;
DROP TABLE patrol_markers;
DROP TABLE patrol_chunks;
DROP TABLE patrol_batches;
