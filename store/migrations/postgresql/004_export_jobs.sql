-- The évaluateurs' export jobs and their files (docs/exports.md), in the database rather than
-- in a node's own directory, so that any node answers for a job another ran. A file is kept in
-- chunks in the order written. The files are sealed to the study's key: nothing readable here.
CREATE TABLE export_jobs (
  id text PRIMARY KEY,
  request text NOT NULL,
  requested_at text NOT NULL,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
  runner text,
  error text,
  manifest text
);
CREATE INDEX export_jobs_by_status ON export_jobs (status, requested_at, id);
CREATE TABLE export_files (
  job text NOT NULL REFERENCES export_jobs (id),
  name text NOT NULL,
  chunk bigint NOT NULL,
  bytes bytea NOT NULL,
  PRIMARY KEY (job, name, chunk)
);
REVOKE ALL ON export_jobs, export_files FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON export_jobs TO passerelle_gateway;
GRANT SELECT, INSERT, DELETE ON export_files TO passerelle_gateway;
