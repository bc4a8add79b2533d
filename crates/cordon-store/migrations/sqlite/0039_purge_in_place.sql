-- SQLite, as PostgreSQL: the held passages' index no longer carries the plate, which the purge
-- empties (the lots' look-up reads it from the row). PostgreSQL's other change (pages filled to
-- three quarters, so the purge's updates stay on their page) has no counterpart here: SQLite
-- rewrites a row in place.
DROP INDEX passages_held;
CREATE INDEX passages_held ON passages (checkpoint_id, observed_at) WHERE outcome = 'hold';
