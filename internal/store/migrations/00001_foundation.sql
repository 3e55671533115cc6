-- The foundation: the effective-dated org tree, workers and their grid
-- assignments, user accounts and sessions, and the hash-chained audit log.
-- One text for SQLite and PostgreSQL: portable types only. Calendar dates are
-- TEXT 'YYYY-MM-DD'; validity is the half-open range [valid_from, valid_to),
-- valid_to NULL meaning "still in force".

-- +goose Up
CREATE TABLE org_units (
    id         TEXT PRIMARY KEY,
    level      TEXT NOT NULL CHECK (level IN ('district', 'street', 'community', 'area', 'grid')),
    created_at TIMESTAMP NOT NULL
);

-- Each change to a unit's parent, name, code or polygon closes one version and
-- opens the next, so what a unit was on any past date can always be read back.
CREATE TABLE org_unit_versions (
    unit_id     TEXT NOT NULL REFERENCES org_units (id),
    valid_from  TEXT NOT NULL,
    valid_to    TEXT,
    parent_id   TEXT REFERENCES org_units (id),
    name        TEXT NOT NULL,
    code        TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT '',
    geometry    TEXT,
    min_lon     DOUBLE PRECISION,
    min_lat     DOUBLE PRECISION,
    max_lon     DOUBLE PRECISION,
    max_lat     DOUBLE PRECISION,
    description TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (unit_id, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX org_unit_versions_parent ON org_unit_versions (parent_id, valid_from);
CREATE INDEX org_unit_versions_code ON org_unit_versions (code);

CREATE TABLE workers (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    employment    TEXT NOT NULL CHECK (employment IN ('full_time', 'part_time')),
    post          TEXT NOT NULL CHECK (post IN ('grid_worker', 'grid_leader', 'area_leader', 'inspector', 'centre_staff')),
    phone         TEXT NOT NULL,
    in_post_since TEXT NOT NULL,
    left_post_on  TEXT,
    home_unit_id  TEXT NOT NULL REFERENCES org_units (id),
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX workers_home ON workers (home_unit_id);

-- share_pct is the part of the grid a worker answers for: 100 for a primary
-- grid; at most 50 for an extra share (seed 004's 减员增效).
CREATE TABLE assignments (
    id         TEXT PRIMARY KEY,
    worker_id  TEXT NOT NULL REFERENCES workers (id),
    grid_id    TEXT NOT NULL REFERENCES org_units (id),
    kind       TEXT NOT NULL CHECK (kind IN ('primary', 'extra')),
    share_pct  INTEGER NOT NULL CHECK (share_pct > 0 AND share_pct <= 100),
    valid_from TEXT NOT NULL,
    valid_to   TEXT,
    created_at TIMESTAMP NOT NULL,
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX assignments_worker ON assignments (worker_id, valid_from);
CREATE INDEX assignments_grid ON assignments (grid_id, valid_from);

CREATE TABLE users (
    id                 TEXT PRIMARY KEY,
    username           TEXT NOT NULL UNIQUE,
    display_name       TEXT NOT NULL,
    role               TEXT NOT NULL CHECK (role IN ('admin', 'centre_staff', 'community_staff', 'inspector', 'grid_worker')),
    scope_unit_id      TEXT REFERENCES org_units (id),
    worker_id          TEXT REFERENCES workers (id),
    password_hash      TEXT NOT NULL,
    -- TRUE while the password is one the system generated (a one-time
    -- password); FALSE once its owner has chosen their own.
    password_generated BOOLEAN NOT NULL,
    failed_logins      INTEGER NOT NULL DEFAULT 0,
    last_failed_at     TIMESTAMP,
    locked_until       TIMESTAMP,
    disabled           BOOLEAN NOT NULL DEFAULT FALSE,
    created_at         TIMESTAMP NOT NULL
);

-- Cookie sessions and bearer tokens alike; only a SHA-256 of the token is kept.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    kind         TEXT NOT NULL CHECK (kind IN ('cookie', 'bearer')),
    name         TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Append-only and hash-chained: hash = SHA-256 over the row's fields and
-- prev_hash. audit_head holds the newest seq and hash, so deleting rows from
-- the end of the chain is caught too.
CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
-- The genesis link: the first row's prev_hash is 64 zeros.
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- +goose Down
DROP TABLE audit_head;
DROP TABLE audit_log;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE assignments;
DROP TABLE workers;
DROP TABLE org_unit_versions;
DROP TABLE org_units;
