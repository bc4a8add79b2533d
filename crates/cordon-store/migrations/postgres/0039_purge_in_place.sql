-- PostgreSQL. The retention purge empties a day's personal data row by row. An update whose
-- columns no index covers, with room on the row's page for the new version, is written beside
-- the old one without a new entry in each index (a "heap-only tuple"): a third less time per
-- row, measured (docs/BENCHMARKS.md). So the held passages' index no longer carries the plate (the purge empties it; the
-- lots' look-up reads it from the row), and the table's pages are filled to three quarters,
-- leaving the room (the rows written before get it when data migration 1038 rewrites the table).
DROP INDEX passages_held;
CREATE INDEX passages_held ON passages (checkpoint_id, observed_at) WHERE outcome = 'hold';
ALTER TABLE passages SET (fillfactor = 75);
