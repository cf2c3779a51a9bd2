-- The data keys on PostgreSQL (issue 23): SQLite's key file (store/migrations/sqlite_keys) as
-- a database of its own, on purpose apart from the dossiers' database, with its own role: a
-- dump of the dossiers' database holds no key, and erasing a dossier deletes its row here, so
-- that every copy of the dossiers' database loses the means to read it.
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'passerelle_keys') THEN
    CREATE ROLE passerelle_keys NOLOGIN;
  END IF;
END $$;

-- Each wrapped (XChaCha20-Poly1305) by a subkey of the master key.
CREATE TABLE data_keys (
  dossier_id text PRIMARY KEY,
  wrap_version bigint NOT NULL,
  wrapped bytea NOT NULL,
  created_at text NOT NULL
);
CREATE INDEX data_keys_by_wrap_version ON data_keys (wrap_version);

-- A known text sealed under each wrap key version: opening it proves, at start, that the master
-- key given is the one these data keys were wrapped with.
CREATE TABLE key_checks (
  wrap_version bigint PRIMARY KEY,
  sealed bytea NOT NULL
);

-- The root key, from which the long-lived subkeys are derived, wrapped like a data key.
CREATE TABLE root_key (
  id integer PRIMARY KEY CHECK (id = 1),
  wrap_version bigint NOT NULL,
  wrapped bytea NOT NULL,
  origin text NOT NULL CHECK (origin IN ('random', 'master-v1'))
);

REVOKE ALL ON data_keys, key_checks, root_key FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON data_keys, key_checks, root_key TO passerelle_keys;
