-- SQLite. Passages at a checkpoint by time were indexed checkpoint first, so every registration
-- landed on a page of its own checkpoint's run: a random page per passage, written whole to the
-- write-ahead log at each commit (most of what a single registration wrote, and a share that
-- grows with the database). Hour first, then checkpoint: registrations of one hour land on the
-- same few pages at the end of the index, and a checkpoint's passages in an hour are still one
-- seek away (queries name the hours: `observed_at / 3600000 IN (...)`). The same index serves
-- the retention purge, which walks hours.
DROP INDEX passages_checkpoint_time;
CREATE INDEX passages_hour_checkpoint ON passages ((observed_at / 3600000), checkpoint_id, observed_at);
