-- PostgreSQL. Who was in which passage, and which passages a vehicle made, are answered by the
-- in-memory trace index (built from occupant_keys and plate), so the on-disk person and plate
-- indexes, whose random inserts cost most of every write, go. (Rows already append to the heap.)
DROP TABLE person_passages;
DROP INDEX passages_plate_time;
