-- Which master key versions each node's copy of the key file holds (PostgreSQL's nodes; kept
-- here so that the stores' SQL is the same on both backends).
ALTER TABLE node_heartbeats ADD COLUMN master_key_versions TEXT;
