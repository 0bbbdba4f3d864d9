-- Text search plans from statistics on the words of tickets.search. With the default
-- target (100) PostgreSQL keeps about 1,000 of the most common words; a word outside that
-- list is guessed at about 1,000 matches however rare it is, so a search for a rare word
-- walked an organisation's tickets newest first hoping to fill a page (98,000 rows, 25 ms,
-- at 200,000 tickets) instead of taking its few matches from the GIN index (0.6 ms).
-- A target of 1000 keeps about 10,000 words and their frequencies (docs/benchmarks.md).
-- It takes effect at the table's next ANALYZE (autovacuum's, or a manual one).

-- +goose Up
ALTER TABLE tickets ALTER COLUMN search SET STATISTICS 1000;

-- +goose Down
ALTER TABLE tickets ALTER COLUMN search SET STATISTICS -1;
