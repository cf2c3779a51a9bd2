-- The DPO console's sessions (docs/console.md): the SHA-256 of each session's cookie and of its
-- CSRF token, never the tokens, so that a dump of the database opens no session. Any node
-- answers for a session another opened.
CREATE TABLE console_sessions (
  id_hash text PRIMARY KEY,
  partner_id text NOT NULL,
  csrf_hash text NOT NULL,
  created_at text NOT NULL,
  expires_at text NOT NULL
);
CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_at);
REVOKE ALL ON console_sessions FROM PUBLIC;
GRANT SELECT, INSERT, DELETE ON console_sessions TO passerelle_gateway;
