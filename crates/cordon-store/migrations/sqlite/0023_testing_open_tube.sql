-- SQLite. The persons standing in a tube are found by the tube as it is sealed (their rows of
-- `testing_open` deleted): by index, not by reading every row the table ever held.
CREATE INDEX testing_open_tube ON testing_open (tube_id);
