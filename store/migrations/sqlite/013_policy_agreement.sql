-- Which sharing policy the gateway's nodes serve (docs/ARCHITECTURE.md, "Policy files on
-- several nodes"). One process on SQLite agrees with itself; the table is here so that the
-- stores' SQL is the same on both backends.
CREATE TABLE policy_adoptions (
  version TEXT PRIMARY KEY,
  adopted_at TEXT NOT NULL
);
CREATE TABLE node_heartbeats (
  node TEXT PRIMARY KEY,
  policy_version TEXT NOT NULL,
  seen_at TEXT NOT NULL
);
