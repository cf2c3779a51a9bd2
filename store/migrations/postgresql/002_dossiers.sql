-- The dossiers' stores on PostgreSQL (issue 23; docs/ARCHITECTURE.md, "PostgreSQL"): the tables
-- of SQLite's migrations 001 to 012 as they stand after them, so that one implementation of
-- each store runs its SQL on either backend. Contents are sealed and identifiers blinded before
-- they reach this database, as on SQLite; the data keys are in another database.

CREATE TABLE dossiers (
  id text PRIMARY KEY,
  created_at text NOT NULL,
  created_by text NOT NULL,
  erased_at text,
  erased_by text,
  erasure_reason bytea,
  merged_into text REFERENCES dossiers(id),
  merged_at text
);

CREATE TABLE section_versions (
  dossier_id text NOT NULL REFERENCES dossiers(id),
  section text NOT NULL,
  version bigint NOT NULL,
  author text NOT NULL,
  source text NOT NULL,
  written_at text NOT NULL,
  content_hash text NOT NULL,
  content bytea NOT NULL,
  key_version bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (dossier_id, section, version)
);

CREATE TABLE identifier_index (
  kind text NOT NULL,
  blind text NOT NULL,
  dossier_id text NOT NULL REFERENCES dossiers(id),
  PRIMARY KEY (kind, blind, dossier_id)
);
CREATE INDEX identifier_index_by_dossier ON identifier_index (dossier_id, kind);
-- One person a personal identifier; a household's CAF number is shared by its members.
CREATE UNIQUE INDEX identifier_index_one_person ON identifier_index (kind, blind)
  WHERE kind <> 'caf';

-- `rowid` keeps the order rows were recorded in, under the name SQLite gives it implicitly, so
-- that the stores' `ORDER BY rowid` reads the same on both backends.
CREATE TABLE relationships (
  rowid bigserial UNIQUE,
  id text PRIMARY KEY,
  dossier_id text NOT NULL REFERENCES dossiers(id),
  partner_id text NOT NULL,
  origin text NOT NULL,
  starts_at text NOT NULL,
  ends_at text,
  ended_at text,
  created_by text NOT NULL,
  reason text NOT NULL
);
CREATE INDEX relationships_by_dossier ON relationships (dossier_id, partner_id);

CREATE TABLE consents (
  rowid bigserial UNIQUE,
  id text PRIMARY KEY,
  dossier_id text NOT NULL REFERENCES dossiers(id),
  kind text NOT NULL,
  withdraws text REFERENCES consents(id),
  grantee_partner text,
  grantee_kind text,
  purpose text NOT NULL,
  sections text NOT NULL,
  categories text NOT NULL,
  given_at text NOT NULL,
  method text NOT NULL,
  collected_by text NOT NULL,
  notice_version text NOT NULL,
  expires_at text,
  recorded_at text NOT NULL,
  recorded_by text NOT NULL,
  notice_language text NOT NULL DEFAULT 'fr',
  controller_name text,
  controller_contact text
);
CREATE INDEX consents_by_dossier ON consents (dossier_id);

-- The change feed, in commit order with no gap a reader can skip (docs/ARCHITECTURE.md, "The
-- change feed on PostgreSQL"). A sequence is taken by updating change_head's one row, whose
-- lock the transaction then holds until it ends: the transaction numbered n has committed (or
-- rolled back, giving n back) before any other can take n + 1, so a snapshot that sees n + 1
-- sees n. PostgreSQL's own sequences would not do: they are taken before commit, in any order,
-- and never given back.
CREATE TABLE change_head (
  id integer PRIMARY KEY CHECK (id = 1),
  last bigint NOT NULL
);
INSERT INTO change_head (id, last) VALUES (1, 0);
CREATE FUNCTION next_change_sequence() RETURNS bigint LANGUAGE sql VOLATILE AS $$
  UPDATE change_head SET last = last + 1 WHERE id = 1 RETURNING last
$$;

CREATE TABLE change_log (
  sequence bigint PRIMARY KEY DEFAULT next_change_sequence(),
  dossier_id text NOT NULL REFERENCES dossiers(id),
  section text NOT NULL,
  version bigint NOT NULL,
  written_at text NOT NULL,
  merged_into text,
  addressed_to text,
  notice text
);

CREATE TABLE webhook_cursors (
  partner_id text PRIMARY KEY,
  sequence bigint NOT NULL
);
CREATE TABLE webhook_outbox (
  id bigserial PRIMARY KEY,
  partner_id text NOT NULL,
  dossier_id text NOT NULL,
  sections text NOT NULL,
  sequence bigint NOT NULL,
  created_at text NOT NULL,
  attempts bigint NOT NULL DEFAULT 0,
  next_attempt_at text NOT NULL,
  delivered_at text,
  last_status bigint,
  last_error text,
  notice text
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (delivered_at, next_attempt_at);
CREATE INDEX webhook_outbox_by_partner ON webhook_outbox (partner_id, id);

CREATE TABLE reconciliation_cases (
  id text PRIMARY KEY,
  fingerprint text NOT NULL,
  opened_at text NOT NULL,
  opened_by text NOT NULL,
  source text NOT NULL,
  position text NOT NULL,
  dossiers text NOT NULL,
  places text NOT NULL,
  contested text NOT NULL,
  status text NOT NULL,
  resolved_at text,
  resolved_by text,
  resolution text
);
CREATE UNIQUE INDEX reconciliation_open_once ON reconciliation_cases (fingerprint)
  WHERE status = 'open';
CREATE INDEX reconciliation_by_status ON reconciliation_cases (status, opened_at);

-- The audit outbox (store/pending_audit.hpp): a row in each write's transaction, deleted once
-- an entry claims it.
CREATE TABLE audit_outbox (
  id text PRIMARY KEY,
  context text NOT NULL,
  dossiers text NOT NULL,
  created_at text NOT NULL
);

CREATE TABLE liveness (
  id integer PRIMARY KEY CHECK (id = 1),
  probed_at text NOT NULL
);

-- The nodes' rights: no DELETE but where a row is meant to go (an erased dossier's index
-- entries, a claimed outbox row), no DDL.
REVOKE ALL ON dossiers, section_versions, identifier_index, relationships, consents,
  change_head, change_log, webhook_cursors, webhook_outbox, reconciliation_cases, audit_outbox,
  liveness FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON dossiers, relationships, consents, webhook_cursors,
  webhook_outbox, reconciliation_cases, liveness TO passerelle_gateway;
GRANT SELECT, INSERT ON section_versions, change_log TO passerelle_gateway;
GRANT SELECT, UPDATE ON change_head TO passerelle_gateway;
GRANT SELECT, INSERT, DELETE ON identifier_index, audit_outbox TO passerelle_gateway;
GRANT USAGE ON SEQUENCE relationships_rowid_seq, consents_rowid_seq, webhook_outbox_id_seq
  TO passerelle_gateway;
