-- The audit log on PostgreSQL (issue 23; docs/ARCHITECTURE.md, "PostgreSQL"): the same rows as
-- SQLite's audit file, in the dossiers' database so that a change and its entry commit together.
-- The database itself keeps it append-only: the migrations run as the schema's owner; the
-- gateway's nodes connect as a role that is a member of `passerelle_gateway` (created by the
-- operator, or by this migration if its role may), which may read, append and prune through audit_prune(), and
-- nothing else. Triggers refuse a rewrite even to the owner; `audit verify` is what detects a
-- superuser who drops them.
-- The group role, unless the operator created it already (creating it needs CREATEROLE).
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'passerelle_gateway') THEN
    CREATE ROLE passerelle_gateway NOLOGIN;
  END IF;
END $$;

CREATE TABLE audit_head (
  id integer PRIMARY KEY CHECK (id = 1),
  size bigint NOT NULL CHECK (size >= 0)
);
INSERT INTO audit_head (id, size) VALUES (1, 0);
-- The appender takes the next indices by `UPDATE audit_head SET size = size + n RETURNING size`
-- in its transaction: the row lock orders the nodes' appends, and an append rolled back gives
-- its indices back, so that they stay consecutive and are never reused.
CREATE FUNCTION audit_head_only_grows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.size < OLD.size OR NEW.id <> OLD.id THEN
    RAISE EXCEPTION 'the audit log only grows';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER audit_head_only_grows BEFORE UPDATE ON audit_head
  FOR EACH ROW EXECUTE FUNCTION audit_head_only_grows();

CREATE TABLE audit_entries (
  idx bigint PRIMARY KEY CHECK (idx >= 0),
  entry text,
  leaf_hash text NOT NULL,
  at text NOT NULL,
  partner text NOT NULL,
  purpose text NOT NULL,
  action text NOT NULL,
  person text NOT NULL,
  decision text NOT NULL,
  sensitive text
);
CREATE INDEX audit_entries_person ON audit_entries (person, idx);
CREATE INDEX audit_entries_partner ON audit_entries (partner, idx);
CREATE INDEX audit_entries_at ON audit_entries (at);

CREATE TABLE audit_checkpoints (
  tree_size bigint PRIMARY KEY,
  log_id text NOT NULL,
  root_hash text NOT NULL,
  at text NOT NULL,
  public_key text NOT NULL,
  signature text NOT NULL
);

-- The Merkle tree's full tiles (crypto/tiled_merkle_tree.hpp), written once.
CREATE TABLE audit_tiles (
  level smallint NOT NULL,
  idx bigint NOT NULL,
  hashes bytea NOT NULL CHECK (length(hashes) = 8192),
  PRIMARY KEY (level, idx)
);

-- The outbox rows an entry records (store/pending_audit.hpp), as in SQLite's audit file.
CREATE TABLE audit_claims (
  outbox_id text PRIMARY KEY,
  idx bigint NOT NULL
);

-- The row the readiness probe rewrites to learn whether the database takes a write. Not part of
-- the log.
CREATE TABLE audit_liveness (
  id integer PRIMARY KEY CHECK (id = 1),
  probed_at text NOT NULL
);

-- Retention, as in SQLite's audit_settings: entries below prune_horizon may be emptied; it only
-- grows, and only over entries older than retention_months.
CREATE TABLE audit_settings (
  id integer PRIMARY KEY CHECK (id = 1),
  retention_months integer NOT NULL CHECK (retention_months >= 1),
  prune_horizon bigint NOT NULL
);
INSERT INTO audit_settings (id, retention_months, prune_horizon) VALUES (1, 12, 0);

-- Nothing is deleted or rewritten; an entry may only be emptied below the horizon.
CREATE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
  FOR EACH ROW EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_checkpoints_no_change BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_claims_no_change BEFORE UPDATE OR DELETE ON audit_claims
  FOR EACH ROW EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_tiles_no_change BEFORE UPDATE OR DELETE ON audit_tiles
  FOR EACH ROW EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_tiles_no_truncate BEFORE TRUNCATE ON audit_tiles
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();

CREATE FUNCTION audit_entries_only_prune() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.entry IS NOT NULL OR NEW.sensitive IS NOT NULL OR NEW.idx <> OLD.idx
     OR NEW.leaf_hash <> OLD.leaf_hash OR NEW.at <> OLD.at
     OR OLD.idx >= (SELECT prune_horizon FROM audit_settings WHERE id = 1) THEN
    RAISE EXCEPTION 'the audit log is append-only; pruning empties only the oldest entries, older than the retention period';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER audit_entries_only_prune BEFORE UPDATE ON audit_entries
  FOR EACH ROW EXECUTE FUNCTION audit_entries_only_prune();

-- Empties the entries older than `before` (their index, time and leaf hash stay), refusing,
-- pruning nothing, if that would empty one younger than the retention period. Runs with its
-- owner's rights: the gateway's role has no UPDATE on the entries.
CREATE FUNCTION audit_prune(before text) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  horizon bigint;
  cutoff text;
  pruned bigint;
BEGIN
  SELECT COALESCE(MIN(idx), (SELECT size FROM audit_head WHERE id = 1)) INTO horizon
    FROM audit_entries WHERE at >= before;
  cutoff := to_char((now() AT TIME ZONE 'UTC') - make_interval(months =>
              (SELECT retention_months FROM audit_settings WHERE id = 1)),
            'YYYY-MM-DD"T"HH24:MI:SS"Z"');
  IF EXISTS (SELECT 1 FROM audit_entries WHERE idx < horizon AND at > cutoff) THEN
    RAISE EXCEPTION 'pruning empties only entries older than the retention period';
  END IF;
  UPDATE audit_settings SET prune_horizon = GREATEST(prune_horizon, horizon) WHERE id = 1;
  UPDATE audit_entries SET entry = NULL, sensitive = NULL, partner = '', purpose = '',
    action = '', person = '', decision = ''
    WHERE idx < horizon AND entry IS NOT NULL;
  GET DIAGNOSTICS pruned = ROW_COUNT;
  RETURN pruned;
END $$;

REVOKE ALL ON audit_head, audit_entries, audit_checkpoints, audit_tiles, audit_settings,
  audit_claims, audit_liveness FROM PUBLIC;
REVOKE ALL ON FUNCTION audit_prune(text) FROM PUBLIC;
GRANT SELECT, UPDATE (size) ON audit_head TO passerelle_gateway;
GRANT SELECT, INSERT ON audit_entries, audit_checkpoints, audit_tiles, audit_claims
  TO passerelle_gateway;
GRANT SELECT, INSERT, UPDATE ON audit_liveness TO passerelle_gateway;
GRANT SELECT ON audit_settings TO passerelle_gateway;
GRANT EXECUTE ON FUNCTION audit_prune(text) TO passerelle_gateway;
