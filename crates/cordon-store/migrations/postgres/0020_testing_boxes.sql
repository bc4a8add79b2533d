-- PostgreSQL. Custody of sealed tubes: a box (its own barcode) packed at a site with the site's
-- sealed tubes, handed over to a named courier or driver (who, when), and received at a lab by
-- scanning the box, which receives each tube in it. A tube is in one box at most.
CREATE TABLE testing_boxes (
    id          BIGSERIAL PRIMARY KEY,
    barcode     TEXT NOT NULL UNIQUE,
    site_id     BIGINT NOT NULL REFERENCES testing_sites (id),
    packed_by   TEXT NOT NULL,
    packed_at   BIGINT NOT NULL,
    handed_to   TEXT,
    handed_by   TEXT,
    handed_at   BIGINT
);

ALTER TABLE testing_tubes ADD COLUMN box_id BIGINT REFERENCES testing_boxes (id);
CREATE INDEX testing_tubes_box ON testing_tubes (box_id);
