-- The audit log (DESIGN §5), in its own SQLite file so that its group commits never wait for
-- the dossiers' writer. `entry` holds the canonical bytes of the entry; the other columns are
-- copies of some of its fields, for the DPO's searches. Pruning (retention) empties the entry
-- and its copies and keeps the leaf hash, so that proofs still verify.
CREATE TABLE audit_entries (
  idx INTEGER PRIMARY KEY,
  entry TEXT,
  leaf_hash TEXT NOT NULL,
  at TEXT NOT NULL,
  partner TEXT NOT NULL,
  purpose TEXT NOT NULL,
  action TEXT NOT NULL,
  person TEXT NOT NULL,
  decision TEXT NOT NULL
);
CREATE INDEX audit_entries_person ON audit_entries (person, idx);
CREATE INDEX audit_entries_partner ON audit_entries (partner, idx);
CREATE INDEX audit_entries_at ON audit_entries (at);
-- Signed tree heads: what anyone holding one can check the log against.
CREATE TABLE audit_checkpoints (
  tree_size INTEGER PRIMARY KEY,
  log_id TEXT NOT NULL,
  root_hash TEXT NOT NULL,
  at TEXT NOT NULL,
  public_key TEXT NOT NULL,
  signature TEXT NOT NULL
);
-- Append-only by construction, so that a bug cannot rewrite history; only pruning may empty an
-- entry. (Someone who can edit the file can drop these triggers: `audit verify` is what detects
-- that.)
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_entries_only_prune BEFORE UPDATE ON audit_entries
WHEN NEW.entry IS NOT NULL OR NEW.idx <> OLD.idx OR NEW.leaf_hash <> OLD.leaf_hash
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
