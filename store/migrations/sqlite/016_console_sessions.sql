-- The DPO console's sessions (docs/console.md): the SHA-256 of each session's cookie and of its
-- CSRF token, never the tokens, so that a copy of the database opens no session.
CREATE TABLE console_sessions (
  id_hash TEXT PRIMARY KEY,
  partner_id TEXT NOT NULL,
  csrf_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_at);
