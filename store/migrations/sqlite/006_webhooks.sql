-- Webhook notifications: each partner's position in the change feed, and the outbox of
-- notifications to deliver (kept once delivered, so that an admin can read the attempts).
CREATE TABLE webhook_cursors (
  partner_id TEXT PRIMARY KEY,
  sequence INTEGER NOT NULL
);
CREATE TABLE webhook_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  partner_id TEXT NOT NULL,
  dossier_id TEXT NOT NULL,
  sections TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  delivered_at TEXT,
  last_status INTEGER,
  last_error TEXT
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (delivered_at, next_attempt_at);
CREATE INDEX webhook_outbox_by_partner ON webhook_outbox (partner_id, id);
