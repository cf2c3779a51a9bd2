-- Per-dossier data keys (issue #5): key_version 0 marks a section sealed, before this
-- migration, under the single section subkey; the store re-seals those under the dossier's data
-- key when it opens the database. Erased dossiers keep their row, without identifiers; the
-- erasure reason is free text, so it is stored sealed (a BLOB), never in clear.
ALTER TABLE section_versions ADD COLUMN key_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dossiers ADD COLUMN erased_at TEXT;
ALTER TABLE dossiers ADD COLUMN erased_by TEXT;
ALTER TABLE dossiers ADD COLUMN erasure_reason TEXT;
