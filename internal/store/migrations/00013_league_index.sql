-- The league table is read a page at a time (LIMIT/OFFSET, issue 7): this
-- index holds a run's rows in the table's order, so that a page is read
-- without sorting the whole run first, and filtered by name or community
-- without reading the rows themselves.

-- +goose Up
CREATE INDEX run_results_table ON run_results (run_id, subject_kind, assessed DESC, rank, name, subject_id, community_id);

-- +goose Down
DROP INDEX run_results_table;
