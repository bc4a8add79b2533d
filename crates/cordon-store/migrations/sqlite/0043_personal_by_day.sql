-- SQLite: nothing. PostgreSQL moves a passage's personal data to a table partitioned by day,
-- which its purge drops whole (migrations/postgres/0043_personal_by_day.sql); SQLite has no
-- partitions, and its purge empties the day's rows through the registration writer, a slice
-- between its groups (cordon_store::retention::sqlite).
SELECT 1;
