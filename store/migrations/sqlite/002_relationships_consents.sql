-- Partner-person relationships (rattachements) and consent records. Both are append-only: a
-- relationship is ended by setting ended_at, a consent withdrawn by a new record.
CREATE TABLE relationships (
  id TEXT PRIMARY KEY,
  dossier_id TEXT NOT NULL REFERENCES dossiers(id),
  partner_id TEXT NOT NULL,
  origin TEXT NOT NULL,
  starts_at TEXT NOT NULL,
  ends_at TEXT,
  ended_at TEXT,
  created_by TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX relationships_by_dossier ON relationships (dossier_id, partner_id);

-- A consent's scope and grantee say nothing about the person; the record is kept in clear so
-- that the DPO can read it.
CREATE TABLE consents (
  id TEXT PRIMARY KEY,
  dossier_id TEXT NOT NULL REFERENCES dossiers(id),
  kind TEXT NOT NULL,
  withdraws TEXT REFERENCES consents(id),
  grantee_partner TEXT,
  grantee_kind TEXT,
  purpose TEXT NOT NULL,
  sections TEXT NOT NULL,
  categories TEXT NOT NULL,
  given_at TEXT NOT NULL,
  method TEXT NOT NULL,
  collected_by TEXT NOT NULL,
  notice_version TEXT NOT NULL,
  expires_at TEXT,
  recorded_at TEXT NOT NULL,
  recorded_by TEXT NOT NULL
);
CREATE INDEX consents_by_dossier ON consents (dossier_id);
