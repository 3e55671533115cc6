-- The assessment: scheme versions, immutable runs with every subject's
-- explained result and the fact values it used, manual findings, appeals
-- and escalations.
--
-- A run is never edited. An upheld appeal makes a new run from the old
-- run's stored inputs and marks the old one superseded_by the new.

-- +goose Up
CREATE TABLE schemes (
    id         TEXT PRIMARY KEY,
    code       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    title      TEXT NOT NULL,
    period     TEXT NOT NULL,
    body       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    builtin    BOOLEAN NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (code, version)
);

CREATE TABLE runs (
    id            TEXT PRIMARY KEY,
    scheme_id     TEXT NOT NULL REFERENCES schemes (id),
    span          TEXT NOT NULL,
    unit_id       TEXT NOT NULL,
    subjects      INTEGER NOT NULL,
    supersedes    TEXT REFERENCES runs (id),
    superseded_by TEXT,
    reason        TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    appeals_until TIMESTAMP NOT NULL -- created_at + the scheme's appeal days
);
CREATE INDEX runs_span ON runs (scheme_id, span, unit_id);

CREATE TABLE run_results (
    run_id       TEXT NOT NULL REFERENCES runs (id),
    subject_kind TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    name         TEXT NOT NULL,
    community_id TEXT NOT NULL,
    community_name TEXT NOT NULL,
    assessed     BOOLEAN NOT NULL,
    not_assessed TEXT NOT NULL, -- why not, when not assessed
    no_data      INTEGER NOT NULL, -- rules that found no data
    total        DOUBLE PRECISION NOT NULL,
    max_total    DOUBLE PRECISION NOT NULL,
    rank         INTEGER NOT NULL,
    of_total     INTEGER NOT NULL,
    bottom       BOOLEAN NOT NULL,
    vetoed       TEXT NOT NULL,
    signals      TEXT NOT NULL, -- the facts escalations read, over the period (JSON)
    result       TEXT NOT NULL, -- the explanation (JSON), evidence kept once, in input
    input        TEXT NOT NULL, -- the facts and findings it was computed from (JSON)
    PRIMARY KEY (run_id, subject_kind, subject_id)
);

CREATE TABLE findings (
    id           TEXT PRIMARY KEY,
    client_id    TEXT UNIQUE,
    type         TEXT NOT NULL,
    item         TEXT NOT NULL,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('worker', 'community')),
    subject_id   TEXT NOT NULL,
    month        TEXT NOT NULL,
    points       DOUBLE PRECISION NOT NULL,
    note         TEXT NOT NULL,
    evidence     TEXT NOT NULL, -- JSON: records and files behind it
    status       TEXT NOT NULL CHECK (status IN ('confirmed', 'withdrawn')),
    recorded_by  TEXT NOT NULL,
    recorded_at  TIMESTAMP NOT NULL,
    withdrawn_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX findings_month ON findings (month, subject_kind, subject_id);

CREATE TABLE appeals (
    id           TEXT PRIMARY KEY,
    run_id       TEXT NOT NULL REFERENCES runs (id),
    subject_kind TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    category     TEXT NOT NULL,
    rule         TEXT NOT NULL,
    points       DOUBLE PRECISION NOT NULL,
    reason       TEXT NOT NULL,
    files        TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('open', 'upheld', 'rejected')),
    filed_by     TEXT NOT NULL,
    filed_at     TIMESTAMP NOT NULL,
    deadline     TIMESTAMP NOT NULL,
    decided_by   TEXT NOT NULL DEFAULT '',
    decided_at   TIMESTAMP,
    decision     TEXT NOT NULL DEFAULT '',
    new_run_id   TEXT
);
CREATE INDEX appeals_run ON appeals (run_id, status);

CREATE TABLE escalations (
    id            TEXT PRIMARY KEY,
    run_id        TEXT NOT NULL REFERENCES runs (id),
    scheme_code   TEXT NOT NULL,
    span          TEXT NOT NULL,
    subject_kind  TEXT NOT NULL,
    subject_id    TEXT NOT NULL,
    subject_name  TEXT NOT NULL,
    escalation_id TEXT NOT NULL,
    name          TEXT NOT NULL,
    action        TEXT NOT NULL,
    periods       TEXT NOT NULL,
    evidence      TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX escalations_run ON escalations (run_id);

-- +goose Down
DROP TABLE escalations;
DROP TABLE appeals;
DROP TABLE findings;
DROP TABLE run_results;
DROP TABLE runs;
DROP TABLE schemes;
