-- Spot checks (督查抽检, seed 004): check forms, drawn rounds with their
-- published seed and inputs, the visits drawn, what each check found, and
-- the fix tasks sent back to the grid's worker.

-- +goose Up
CREATE TABLE inspect_forms (
    code       TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE inspect_rounds (
    id           TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    unit_id      TEXT NOT NULL REFERENCES org_units (id),
    form         TEXT NOT NULL,          -- the form as it was when drawn (JSON)
    first_day    TEXT NOT NULL,
    last_day     TEXT NOT NULL,
    seed         TEXT NOT NULL,          -- decimal uint64; shown once published
    input        TEXT NOT NULL,          -- the draw's whole input (JSON)
    input_hash   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    published_at TIMESTAMP
);

CREATE TABLE inspect_visits (
    id           TEXT PRIMARY KEY,
    round_id     TEXT NOT NULL REFERENCES inspect_rounds (id),
    seq          INTEGER NOT NULL,
    grid_id      TEXT NOT NULL REFERENCES org_units (id),
    worker_id    TEXT NOT NULL DEFAULT '', -- the grid's worker when drawn
    inspector_id TEXT NOT NULL,
    planned_at   TIMESTAMP NOT NULL,
    households   TEXT NOT NULL,            -- JSON list of house IDs
    status       TEXT NOT NULL CHECK (status IN ('planned', 'done')),
    done_at      TIMESTAMP,
    lat          DOUBLE PRECISION,
    lon          DOUBLE PRECISION,
    photos       TEXT NOT NULL DEFAULT '[]',
    note         TEXT NOT NULL DEFAULT '',
    verdict      TEXT CHECK (verdict IN ('pass', 'fail')),
    recorded_by  TEXT,
    recorded_at  TIMESTAMP,
    client_id    TEXT UNIQUE,
    UNIQUE (round_id, seq)
);
CREATE INDEX inspect_visits_grid ON inspect_visits (grid_id, done_at);
CREATE INDEX inspect_visits_done ON inspect_visits (done_at);

CREATE TABLE inspect_checks (
    id        TEXT PRIMARY KEY,
    visit_id  TEXT NOT NULL REFERENCES inspect_visits (id),
    item      TEXT NOT NULL,
    house_id  TEXT NOT NULL DEFAULT '',  -- '' for a grid item
    ok        BOOLEAN NOT NULL,
    count     INTEGER NOT NULL DEFAULT 0, -- people concerned by a failure
    note      TEXT NOT NULL DEFAULT '',
    photo     TEXT NOT NULL DEFAULT '',
    UNIQUE (visit_id, item, house_id)
);

CREATE TABLE inspect_tasks (
    id        TEXT PRIMARY KEY,
    visit_id  TEXT NOT NULL REFERENCES inspect_visits (id),
    check_id  TEXT NOT NULL REFERENCES inspect_checks (id),
    grid_id   TEXT NOT NULL,
    worker_id TEXT NOT NULL,
    kind      TEXT NOT NULL,
    house_id  TEXT NOT NULL DEFAULT '',
    note      TEXT NOT NULL DEFAULT '',
    due_on    TEXT NOT NULL,
    status    TEXT NOT NULL CHECK (status IN ('open', 'done')),
    done_at   TIMESTAMP,
    done_by   TEXT,
    done_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX inspect_tasks_worker ON inspect_tasks (worker_id, status);

-- The handbook quiz (应知应会): the question bank, and each quiz drawn
-- for a worker with their answers.
CREATE TABLE quiz_questions (
    id         TEXT PRIMARY KEY,
    topic      TEXT NOT NULL,
    text       TEXT NOT NULL,
    choices    TEXT NOT NULL,  -- JSON list of strings
    answer     INTEGER NOT NULL,
    source     TEXT NOT NULL,
    active     BOOLEAN NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE quizzes (
    id           TEXT PRIMARY KEY,
    worker_id    TEXT NOT NULL,
    visit_id     TEXT NOT NULL DEFAULT '',
    seed         TEXT NOT NULL,
    questions    TEXT NOT NULL,  -- JSON list of question IDs, in order
    drawn_by     TEXT NOT NULL,
    drawn_at     TIMESTAMP NOT NULL,
    due_at       TIMESTAMP NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('open', 'submitted')),
    answers      TEXT,           -- JSON list of chosen indexes (-1: none)
    wrong        INTEGER,
    submitted_at TIMESTAMP,
    client_id    TEXT UNIQUE
);
CREATE INDEX quizzes_worker ON quizzes (worker_id, submitted_at);

-- Undercover checks (暗访) and residents' complaints (群众举报) against a
-- worker: each recorded with evidence, counted once verified.
CREATE TABLE inspect_reports (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('undercover', 'complaint')),
    worker_id   TEXT NOT NULL,
    grid_id     TEXT NOT NULL DEFAULT '',
    found_on    TEXT NOT NULL,
    source      TEXT NOT NULL,
    description TEXT NOT NULL,
    files       TEXT NOT NULL DEFAULT '[]',
    reported_by TEXT NOT NULL,
    reported_at TIMESTAMP NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'verified', 'rejected')),
    decided_by  TEXT,
    decided_at  TIMESTAMP,
    decision    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX inspect_reports_decided ON inspect_reports (status, decided_at);

-- +goose Down
DROP TABLE inspect_reports;
DROP TABLE quizzes;
DROP TABLE quiz_questions;
DROP TABLE inspect_tasks;
DROP TABLE inspect_checks;
DROP TABLE inspect_visits;
DROP TABLE inspect_rounds;
DROP TABLE inspect_forms;
