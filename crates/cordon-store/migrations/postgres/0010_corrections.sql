-- PostgreSQL. Corrections: a passage that replaces an earlier one at the same checkpoint (a
-- wrong plate, a person missed). Both passages stay; this says which one holds.
CREATE TABLE corrections (
    passage    UUID NOT NULL PRIMARY KEY,
    supersedes UUID NOT NULL
);
CREATE INDEX corrections_superseded ON corrections (supersedes);
