-- One row that the readiness probe (GET /readyz) rewrites to learn whether the audit log's file
-- takes a durable write: after a full disk or an I/O error, only a real commit tells that the
-- cause is gone. Not part of the log: no entry, no tree.
CREATE TABLE liveness (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  probed_at TEXT NOT NULL
);
