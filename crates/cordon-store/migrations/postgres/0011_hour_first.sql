-- PostgreSQL, as SQLite: passages at a checkpoint by time are indexed hour first, then
-- checkpoint, so that registrations of one hour land on the same few pages at the end of the
-- index instead of one random page per passage (see the SQLite migration of the same number).
DROP INDEX passages_checkpoint_time;
CREATE INDEX passages_hour_checkpoint ON passages ((observed_at / 3600000), checkpoint_id, observed_at);
