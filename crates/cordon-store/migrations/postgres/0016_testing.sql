-- PostgreSQL. Mass testing: campaigns over an area, their sampling sites, the tubes filled at them
-- and who is in each tube. A person is known by the keyed hash of their document (the same as
-- passages, statuses and follow-up); their document and name are sealed to the tube. A person
-- stands in one open tube at a time (`testing_open`, emptied as the tube is sealed), and a
-- barcode is used once.
CREATE TABLE testing_campaigns (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT NOT NULL,
    area         BIGINT NOT NULL,
    deadline_at  BIGINT NOT NULL,
    pool_size    BIGINT NOT NULL CHECK (pool_size IN (1, 5, 10, 20)),
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE TABLE testing_sites (
    id           BIGSERIAL PRIMARY KEY,
    campaign_id  BIGINT NOT NULL REFERENCES testing_campaigns (id),
    name         TEXT NOT NULL,
    lanes        BIGINT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (campaign_id, name)
);

CREATE TABLE testing_tubes (
    id            BIGSERIAL PRIMARY KEY,
    barcode       TEXT NOT NULL UNIQUE,
    site_id       BIGINT NOT NULL REFERENCES testing_sites (id),
    pool_size     BIGINT NOT NULL CHECK (pool_size IN (1, 5, 10, 20)),
    state         TEXT NOT NULL CHECK (state IN ('open', 'sealed')),
    members       BIGINT NOT NULL DEFAULT 0,
    short_reason  TEXT,
    opened_by     TEXT NOT NULL,
    opened_at     BIGINT NOT NULL,
    sealed_by     TEXT,
    sealed_at     BIGINT
);
CREATE INDEX testing_tubes_site ON testing_tubes (site_id, state);

CREATE TABLE testing_members (
    tube_id        BIGINT NOT NULL REFERENCES testing_tubes (id),
    person_key     TEXT NOT NULL,
    masked_name    TEXT NOT NULL,
    document_type  TEXT NOT NULL,
    masked_number  TEXT NOT NULL,
    sealed         BYTEA,
    bound_by       TEXT NOT NULL,
    bound_at       BIGINT NOT NULL,
    PRIMARY KEY (tube_id, person_key)
);
CREATE INDEX testing_members_person ON testing_members (person_key, bound_at);

CREATE TABLE testing_open (
    person_key  TEXT PRIMARY KEY,
    tube_id     BIGINT NOT NULL REFERENCES testing_tubes (id)
);
