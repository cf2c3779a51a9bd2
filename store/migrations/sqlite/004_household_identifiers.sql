-- The CAF/MSA matricule is a household's file number: every member of the household (each a
-- dossier) holds it. The index keeps one row per (identifier, dossier); identifiers of a person
-- (NIR, France Travail, Département) stay unique by the partial index below.
CREATE TABLE identifier_index_v2 (
  kind TEXT NOT NULL,
  blind TEXT NOT NULL,
  dossier_id TEXT NOT NULL REFERENCES dossiers(id),
  PRIMARY KEY (kind, blind, dossier_id)
);
INSERT INTO identifier_index_v2 (kind, blind, dossier_id) SELECT kind, blind, dossier_id FROM identifier_index;
DROP TABLE identifier_index;
ALTER TABLE identifier_index_v2 RENAME TO identifier_index;
CREATE INDEX identifier_index_by_dossier ON identifier_index (dossier_id, kind);
CREATE UNIQUE INDEX identifier_index_one_person ON identifier_index (kind, blind) WHERE kind <> 'caf';
