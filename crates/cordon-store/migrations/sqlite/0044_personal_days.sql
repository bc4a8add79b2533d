-- SQLite. PostgreSQL keeps what each day's partition of personal data holds, for its purge that
-- drops a day whole (migrations/postgres/0044_personal_days.sql); SQLite's purge counts the
-- rows it empties. Nothing to do here.
SELECT 1;
