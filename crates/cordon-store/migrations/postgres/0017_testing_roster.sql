-- PostgreSQL. A testing campaign's roster: the residents expected, by compound and building, each
-- known by the keyed hash of their document (as a tube's persons are), the rest masked and the
-- row sealed. Who has not been sampled is who on the roster no tube of the campaign holds.
CREATE TABLE testing_roster (
    campaign_id    BIGINT NOT NULL REFERENCES testing_campaigns (id),
    person_key     TEXT NOT NULL,
    masked_name    TEXT NOT NULL,
    document_type  TEXT NOT NULL,
    masked_number  TEXT NOT NULL,
    compound       TEXT NOT NULL,
    building       TEXT NOT NULL,
    sealed         BYTEA,
    PRIMARY KEY (campaign_id, person_key)
);
CREATE INDEX testing_roster_building ON testing_roster (campaign_id, compound, building);
