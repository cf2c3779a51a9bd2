-- What the DPO's console asks of the log without reading all of it (docs/console.md): the newest
-- entry of an action (the last full verification, GET /v1/audit/integrity) and the refused
-- requests of a period (GET /v1/audit/refusals). Built once over an existing log at migration.
CREATE INDEX audit_entries_action ON audit_entries (action, idx);
CREATE INDEX audit_entries_decision ON audit_entries (decision, at);
