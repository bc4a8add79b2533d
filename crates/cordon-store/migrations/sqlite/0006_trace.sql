-- SQLite. The trace index (cordon_trace) is loaded from the passages and kept current by what was
-- recorded since: each passage carries its occupants' keyed hashes and roles
-- ("d<hex>,p<hex>"; NULL once purged), and recorded_at is indexed.
ALTER TABLE passages ADD COLUMN occupant_keys TEXT;
CREATE INDEX passages_recorded ON passages (recorded_at, id);
