-- The root key, from which the long-lived subkeys (blind indexes, content hashes, pseudonyms,
-- signing) are derived, wrapped like a data key: rotating the master key re-wraps it and changes
-- no index. `origin` says whether it was drawn at random or is master key version 1 itself
-- (stores created before the root key existed, whose indexes were derived from the master key).
CREATE TABLE root_key (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  wrap_version INTEGER NOT NULL,
  wrapped BLOB NOT NULL,
  origin TEXT NOT NULL CHECK (origin IN ('random', 'master-v1'))
);
-- Rotation looks for the keys still wrapped under an older version.
CREATE INDEX data_keys_by_wrap_version ON data_keys (wrap_version);
