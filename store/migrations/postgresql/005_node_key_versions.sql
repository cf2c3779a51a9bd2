-- Which master key versions each node's copy of the key file holds (",1,2,"), so that
-- `passerelle keys rotate` wraps nothing under a new version before every live node has it.
ALTER TABLE node_heartbeats ADD COLUMN master_key_versions text;
-- A node that stops cleanly removes its heartbeat rather than being counted live for 30 s.
GRANT DELETE ON node_heartbeats TO passerelle_gateway;
