-- SQLite. Each campaign counts the distinct persons its tubes hold, kept by the scan writer
-- as it writes them, so that a campaign's walk-ins (those persons less the roster's sampled)
-- are read in one row, not counted over every tube's persons.
ALTER TABLE testing_campaigns ADD COLUMN persons BIGINT NOT NULL DEFAULT 0;
UPDATE testing_campaigns SET persons = (SELECT COUNT(DISTINCT m.person_key)
    FROM testing_members m JOIN testing_tubes t ON t.id = m.tube_id
    JOIN testing_sites s ON s.id = t.site_id WHERE s.campaign_id = testing_campaigns.id);
