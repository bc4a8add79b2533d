-- PostgreSQL. A dashboard sums its scope's count rows of the last day. The primary key
-- (checkpoint, hour) finds them checkpoint by checkpoint, and each checkpoint's 24 rows lie on
-- 24 pages, since the writer adds the rows hour by hour: a province's read visited 32,000
-- pages for its 28,000 rows (docs/BENCHMARKS.md). By the hour they lie together: the hour
-- first, about 1,200 pages. The writer's updates change no indexed column and stay heap-only.
CREATE INDEX passage_counts_hour ON passage_counts (hour, checkpoint_id);
