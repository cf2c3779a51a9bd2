-- The dossiers' data keys, each wrapped (XChaCha20-Poly1305) by a subkey of the master key. This
-- file is kept apart from the dossiers' database on purpose: erasing a dossier deletes its row
-- here, so that every copy of the database, backups included, loses the means to read it.
CREATE TABLE data_keys (
  dossier_id TEXT PRIMARY KEY,
  wrap_version INTEGER NOT NULL,
  wrapped BLOB NOT NULL,
  created_at TEXT NOT NULL
);
