-- Which sharing policy the gateway's nodes serve (docs/ARCHITECTURE.md, "Policy files on
-- several nodes"): the last time a node started serving each version, and each node's latest
-- heartbeat with the version it serves. The version in force is the one most recently adopted
-- among those that live nodes serve; a node serving another is not ready until it reloads.
CREATE TABLE policy_adoptions (
  version text PRIMARY KEY,
  adopted_at text NOT NULL
);
CREATE TABLE node_heartbeats (
  node text PRIMARY KEY,
  policy_version text NOT NULL,
  seen_at text NOT NULL
);
REVOKE ALL ON policy_adoptions, node_heartbeats FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON policy_adoptions, node_heartbeats TO passerelle_gateway;
