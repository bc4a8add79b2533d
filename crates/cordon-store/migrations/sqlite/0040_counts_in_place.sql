-- SQLite: nothing. It rewrites a row in place and keeps no old versions in the table
-- (PostgreSQL's file says why it needs room for them).
SELECT 1;
