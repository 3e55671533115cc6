-- The console's home screen and the events queues by light read the open
-- events only (a light is computed, not stored): a partial index keeps
-- that read proportional to the open events, not to every event ever
-- reported. Queries must spell the condition as here to use it.

-- +goose Up
CREATE INDEX events_open ON events (grid_id) WHERE state NOT IN ('closed', 'voided');

-- +goose Down
DROP INDEX events_open;
