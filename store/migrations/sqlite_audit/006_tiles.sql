-- The Merkle tree's hashes as C2SP tlog-tiles (crypto/tiled_merkle_tree.hpp): one row per full
-- tile, the 256 hashes (32 bytes each) of the tree's level 8·level from hash 256·idx on, written
-- in the transaction that stores the tile's last leaf and never changed. The audit log keeps only
-- the tree's right edge in memory and reads older hashes here, so that its memory and its start
-- do not grow with the log. A log written before this table gets its tiles at its next start.
CREATE TABLE audit_tiles (
  level INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  hashes BLOB NOT NULL CHECK (length(hashes) = 8192),
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TRIGGER audit_tiles_no_update BEFORE UPDATE ON audit_tiles
BEGIN SELECT RAISE(ABORT, 'tiles are written once'); END;
CREATE TRIGGER audit_tiles_no_delete BEFORE DELETE ON audit_tiles
BEGIN SELECT RAISE(ABORT, 'tiles are written once'); END;
