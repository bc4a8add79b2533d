-- SQLite keeps the counts in their primary key's order (checkpoint, hour), a checkpoint's
-- hours side by side: nothing to add (PostgreSQL's heap needs an index by the hour).
SELECT 1;
