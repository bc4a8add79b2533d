-- SQLite. PostgreSQL moves a passage's personal data to a table partitioned by day,
-- which its purge drops whole (migrations/postgres/0043_personal_by_day.sql); SQLite has no
-- partitions, and its purge empties the day's rows through the registration writer, a slice
-- between its groups (cordon_store::retention::sqlite). Here only a view:
-- the name that PostgreSQL's core table goes by, for the reads that want no personal data
-- (counts, times, hours): on PostgreSQL they skip the join with the personal data's table.
CREATE VIEW passage_core AS SELECT * FROM passages;
