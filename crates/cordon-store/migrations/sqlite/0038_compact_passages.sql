-- SQLite. Compact passages (cordon_store::passage::{compact, words}): a decision names the
-- texts it repeats (a rule's title, a fact) by number, each text stored once here; the
-- occupants are sealed in a compact binary form, their keyed hashes kept as 16 raw bytes, the
-- fingerprint as 8. The columns keep their names (SQLite stores a blob in a TEXT column as a
-- blob); the rows written before are converted in place once, at the next start
-- (cordon_store::upgrade, data migration 1038), in one transaction, then the file is vacuumed.
CREATE TABLE decision_words (
    id   INTEGER PRIMARY KEY,
    text TEXT NOT NULL UNIQUE
);
