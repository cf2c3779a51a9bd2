-- One row that the readiness probe (GET /readyz) rewrites to learn whether the database takes a
-- durable write: after a full disk or an I/O error, only a real commit tells that the cause is
-- gone.
CREATE TABLE liveness (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  probed_at TEXT NOT NULL
);
