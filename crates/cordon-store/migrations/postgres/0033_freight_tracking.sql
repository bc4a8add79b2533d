-- PostgreSQL. Freight tracking: the goods a verified freight pass names, kept with the passage
-- (NULL on every other passage); a pass's planned arrival, for the route watch's overdue alert;
-- an alert about a pass names it, and is raised once per pass and kind.
ALTER TABLE passages ADD COLUMN goods TEXT;
ALTER TABLE freight_passes ADD COLUMN expected_arrival BIGINT;
ALTER TABLE freight_alerts ADD COLUMN pass_number TEXT;
CREATE UNIQUE INDEX freight_alerts_pass ON freight_alerts (pass_number, kind) WHERE pass_number IS NOT NULL;
