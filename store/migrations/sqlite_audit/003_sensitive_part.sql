-- The sensitive part of an entry (the fields of category `sensible` withheld from the caller,
-- with a random salt): kept beside the entry, which commits to it by a hash, so that the
-- partner an entry records can be shown its entry, and check its proof, without learning what
-- was hidden from it. Only the DPO's views open it; pruning empties it with the entry.
ALTER TABLE audit_entries ADD COLUMN sensitive TEXT;
DROP TRIGGER audit_entries_only_prune;
CREATE TRIGGER audit_entries_only_prune BEFORE UPDATE ON audit_entries
WHEN NEW.entry IS NOT NULL OR NEW.sensitive IS NOT NULL OR NEW.idx <> OLD.idx
  OR NEW.leaf_hash <> OLD.leaf_hash OR NEW.at <> OLD.at
  OR OLD.idx >= (SELECT value FROM audit_settings WHERE name = 'prune_horizon')
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only; pruning empties only the oldest entries, older than the retention period'); END;
