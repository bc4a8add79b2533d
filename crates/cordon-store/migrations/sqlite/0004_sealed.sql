-- SQLite. Occupants sealed with the hub's key (see cordon_store::keyring): new rows
-- write their occupants here and leave the old column empty; rows written before are sealed once
-- at the next start, and person_passages is rekeyed by keyed hash at the same time.
ALTER TABLE passages ADD COLUMN sealed BLOB;
