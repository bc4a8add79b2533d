-- PostgreSQL. The registration writer adds each group's passages to their hour's count row
-- (migration 37): an update a group. Each update leaves the old version of the row behind; on a
-- full page the new one goes to another page, and the old versions stay until a vacuum (on a
-- server with autovacuum off, for ever): a province's dashboard read its 30,000 rows of a day
-- through 48 MB of table instead of 12 (docs/BENCHMARKS.md). Pages filled to half keep the new
-- version beside the old one (a heap-only update), and a page is cleared of its old versions as
-- it is read and written, without a vacuum. Pages written before keep their fill.
ALTER TABLE passage_counts SET (fillfactor = 50);
