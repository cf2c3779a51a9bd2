-- Dossiers, every version of every section (encrypted), and keyed identifier indexes.
CREATE TABLE dossiers (
  id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
);

-- One row per section version; content is XChaCha20-Poly1305 ciphertext bound to
-- (dossier, section, version). content_hash is a keyed hash, not a plain digest.
CREATE TABLE section_versions (
  dossier_id TEXT NOT NULL REFERENCES dossiers(id),
  section TEXT NOT NULL,
  version INTEGER NOT NULL,
  author TEXT NOT NULL,
  source TEXT NOT NULL,
  written_at TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  content BLOB NOT NULL,
  PRIMARY KEY (dossier_id, section, version)
);

-- Blind index: HMAC of the normalised identifier under a gateway subkey.
CREATE TABLE identifier_index (
  kind TEXT NOT NULL,
  blind TEXT NOT NULL,
  dossier_id TEXT NOT NULL REFERENCES dossiers(id),
  PRIMARY KEY (kind, blind)
);
CREATE INDEX identifier_index_by_dossier ON identifier_index (dossier_id, kind);
