-- The change feed: one row per section version, numbered in commit order (one writer at a time).
-- An INTEGER PRIMARY KEY keeps its numbers through a VACUUM, unlike an implicit rowid.
CREATE TABLE change_log (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,
  dossier_id TEXT NOT NULL REFERENCES dossiers(id),
  section TEXT NOT NULL,
  version INTEGER NOT NULL,
  written_at TEXT NOT NULL
);
INSERT INTO change_log (dossier_id, section, version, written_at) SELECT dossier_id, section, version, written_at FROM section_versions ORDER BY rowid;
