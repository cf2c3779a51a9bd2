-- Pruning may empty only the oldest entries, and only once they are older than the retention
-- period: a pruned entry is a fact the person's report no longer shows, so it must not be a
-- way to hide a recent access. `prune_horizon`: entries with a lower index may be emptied; it
-- only grows, and only over entries older than `retention_months` (set by the gateway from its
-- configuration). Someone who can edit the file can drop these triggers: `audit verify` checks
-- the same two rules.
CREATE TABLE audit_settings (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
INSERT INTO audit_settings (name, value) VALUES ('retention_months', 12), ('prune_horizon', 0);
CREATE TRIGGER audit_settings_no_delete BEFORE DELETE ON audit_settings
BEGIN SELECT RAISE(ABORT, 'the audit settings stay'); END;
CREATE TRIGGER audit_settings_retention BEFORE UPDATE ON audit_settings
WHEN NEW.name = 'retention_months' AND NEW.value < 1
BEGIN SELECT RAISE(ABORT, 'the audit retention period is at least one month'); END;
CREATE TRIGGER audit_settings_horizon BEFORE UPDATE ON audit_settings
WHEN NEW.name = 'prune_horizon' AND (NEW.value < OLD.value OR EXISTS (
  SELECT 1 FROM audit_entries WHERE idx < NEW.value AND at > strftime('%Y-%m-%dT%H:%M:%fZ',
    'now', '-' || (SELECT value FROM audit_settings WHERE name = 'retention_months') || ' months')))
BEGIN SELECT RAISE(ABORT, 'pruning empties only entries older than the retention period'); END;
DROP TRIGGER audit_entries_only_prune;
CREATE TRIGGER audit_entries_only_prune BEFORE UPDATE ON audit_entries
WHEN NEW.entry IS NOT NULL OR NEW.idx <> OLD.idx OR NEW.leaf_hash <> OLD.leaf_hash
  OR NEW.at <> OLD.at OR OLD.idx >= (SELECT value FROM audit_settings WHERE name = 'prune_horizon')
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only; pruning empties only the oldest entries, older than the retention period'); END;
