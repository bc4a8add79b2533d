-- PostgreSQL. Whether some tube of the campaign holds a person of its roster, kept on the roster row:
-- set by the scan that puts the person in a tube, and by a roster upload for persons sampled
-- before they were listed. Who has not been sampled, by building, is then a count of the rows
-- (a million persons: a grouped read, no look-up per person).
ALTER TABLE testing_roster ADD COLUMN sampled BIGINT NOT NULL DEFAULT 0;
UPDATE testing_roster SET sampled = 1 WHERE EXISTS (SELECT 1 FROM testing_members m
    JOIN testing_tubes t ON t.id = m.tube_id JOIN testing_sites s ON s.id = t.site_id
    WHERE m.person_key = testing_roster.person_key AND s.campaign_id = testing_roster.campaign_id);
-- The buildings' counts read from the index alone.
DROP INDEX testing_roster_building;
CREATE INDEX testing_roster_building ON testing_roster (campaign_id, compound, building, sampled);
