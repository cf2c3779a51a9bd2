-- The évaluateurs' export jobs and their files (docs/exports.md), in the store rather than in
-- the node's own directory, so that any node answers for a job another ran. A file is kept in
-- chunks in the order written. The files are sealed to the study's key: nothing readable here.
CREATE TABLE export_jobs (
  id TEXT PRIMARY KEY,
  request TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
  runner TEXT,
  error TEXT,
  manifest TEXT
);
CREATE INDEX export_jobs_by_status ON export_jobs (status, requested_at, id);
CREATE TABLE export_files (
  job TEXT NOT NULL REFERENCES export_jobs (id),
  name TEXT NOT NULL,
  chunk INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  PRIMARY KEY (job, name, chunk)
);
