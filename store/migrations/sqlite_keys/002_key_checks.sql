-- A known text sealed under each wrap key version: opening it proves, at start, that the master
-- key given is the one these data keys were wrapped with.
CREATE TABLE key_checks (
  wrap_version INTEGER PRIMARY KEY,
  sealed BLOB NOT NULL
);
