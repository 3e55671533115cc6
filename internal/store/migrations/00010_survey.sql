-- Satisfaction surveys (满意率, 民主测评; seed 001 (五), issue 6): surveys
-- with their questionnaires, the household codes printed on contact cards
-- (联系卡), ballot codes for cadres and unit representatives, SMS
-- verification codes (hashed), and the answers. An answer carries the key
-- of whoever gave it (a house, a hashed phone, a ballot and grid), unique
-- per survey: that is the one-answer-per-household-or-phone guard.

-- +goose Up
CREATE TABLE surveys (
    id             TEXT PRIMARY KEY,
    title          TEXT NOT NULL,
    unit_id        TEXT NOT NULL REFERENCES org_units (id), -- street or community
    period_kind    TEXT NOT NULL CHECK (period_kind IN ('month', 'quarter')),
    period         TEXT NOT NULL,          -- '2026-03' or '2026-Q1'
    fact_month     TEXT NOT NULL,          -- 'YYYY-MM' whose facts it counts in
    first_day      TEXT NOT NULL,
    last_day       TEXT NOT NULL,
    questionnaires TEXT NOT NULL,          -- JSON: the questionnaire of each audience
    status         TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed')),
    created_by     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    opened_at      TIMESTAMP,
    closed_at      TIMESTAMP
);
CREATE INDEX surveys_fact_month ON surveys (fact_month);
CREATE INDEX surveys_status ON surveys (status);

CREATE TABLE survey_household_codes (
    house_id   TEXT PRIMARY KEY REFERENCES houses (id),
    grid_id    TEXT NOT NULL REFERENCES org_units (id),
    code       TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX survey_household_codes_grid ON survey_household_codes (grid_id);

CREATE TABLE survey_ballots (
    id           TEXT PRIMARY KEY,
    survey_id    TEXT NOT NULL REFERENCES surveys (id),
    audience     TEXT NOT NULL CHECK (audience IN ('cadre', 'unit')),
    community_id TEXT NOT NULL REFERENCES org_units (id),
    code         TEXT NOT NULL UNIQUE,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX survey_ballots_survey ON survey_ballots (survey_id);

CREATE TABLE survey_sms_codes (
    id         TEXT PRIMARY KEY,
    survey_id  TEXT NOT NULL REFERENCES surveys (id),
    phone_key  TEXT NOT NULL,              -- hash of survey and phone: no phone number is stored
    code_hash  TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    used       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX survey_sms_codes_phone ON survey_sms_codes (survey_id, phone_key, created_at);

CREATE TABLE survey_answers (
    id         TEXT PRIMARY KEY,
    survey_id  TEXT NOT NULL REFERENCES surveys (id),
    grid_id    TEXT NOT NULL REFERENCES org_units (id),
    audience   TEXT NOT NULL CHECK (audience IN ('resident', 'cadre', 'unit')),
    method     TEXT NOT NULL CHECK (method IN ('household', 'phone', 'ballot')),
    voter_key  TEXT NOT NULL,              -- 'h:'+house, 'p:'+phone hash, 'b:'+ballot+':'+grid
    client_id  TEXT NOT NULL,
    answers    TEXT NOT NULL,              -- JSON: question code → choice
    satisfied  BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (survey_id, voter_key),
    UNIQUE (survey_id, client_id)
);
CREATE INDEX survey_answers_grid ON survey_answers (survey_id, grid_id, created_at);

-- +goose Down
DROP TABLE survey_answers;
DROP TABLE survey_sms_codes;
DROP TABLE survey_ballots;
DROP TABLE survey_household_codes;
DROP TABLE surveys;
