-- PostgreSQL. An escort may leave from a holding lot (its trucks escorted out): the lot, beside
-- the checkpoint whose officers lead it.
ALTER TABLE escorts ADD COLUMN lot_id BIGINT REFERENCES lots (id);
