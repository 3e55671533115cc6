-- The work calendar's edits: days whose kind the centre set by hand, over
-- the built-in public holidays and swapped working days (workcal.Builtin).
-- A row here wins over the built-in day of the same date.

-- +goose Up
CREATE TABLE workcal_days (
    day        TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name       TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE workcal_days;
