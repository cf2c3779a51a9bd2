#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "passerelle/core/consent.hpp"

namespace passerelle::app {

// The audit log's settings (the "audit" object of the configuration file).
struct AuditConfig {
  // Its own SQLite file; when absent, "<store file>.audit" beside the dossiers' database.
  std::optional<std::filesystem::path> sqlite_file;
  std::string log_id = "passerelle";  // named in every checkpoint
  int checkpoint_interval_ms = 1000;  // a checkpoint at least this often under load
  int retention_months = 12;          // `passerelle audit prune` empties older entries
  int busy_timeout_ms = 10000;        // how long a write waits for another process's lock
};

// The retention rule (the "retention" object): dossiers are erased `months` after the last
// activity in the pathway; a serving gateway applies it at start and then daily.
struct RetentionConfig {
  int months = 24;
  bool daily = true;
};

// Webhook notifications (the "webhooks" object): how often the outbox is looked at, the
// exponential backoff between attempts, the time an endpoint has to answer, and the CA that
// partners' endpoints are checked against (the system's when absent).
struct WebhookConfig {
  int poll_ms = 1000;
  int backoff_base_ms = 2000;  // the first retry; each next one waits twice as long
  int backoff_max_seconds = 3600;
  int timeout_seconds = 10;
  std::optional<std::filesystem::path> ca_file;
};

// The PostgreSQL backend (the "store.postgresql" object, docs/configuration.md): several
// gateway nodes share it.
struct PostgresConfig {
  // The dossiers' database (stores and audit log) and the data keys' database: libpq URIs or
  // key=value strings. A password is better kept in a libpq password file than here.
  std::string url;
  std::string keys_url;
  int pool_size = 8;    // connections per node to the dossiers' database
  bool migrate = true;  // apply pending migrations at start (the schema's owner connects)
  // TLS to the server (libpq's sslmode: disable, allow, prefer, require, verify-ca,
  // verify-full), the CA that signed its certificate, and this node's client certificate.
  std::string tls_mode;
  std::optional<std::filesystem::path> tls_ca_file, tls_certificate, tls_private_key;
  // This node's own files (the import spool, export files, the lock of a one-node command).
  std::filesystem::path work_dir;
};

// `url` with the TLS settings of `config` added as libpq connection parameters.
std::string connectionString(const std::string& url, const PostgresConfig& config);

// What the application needs, whatever serves it: the registry, the keys, the store, the policy,
// the audit log, and the background work. Relative paths are resolved by whoever reads the file.
struct AppConfig {
  std::filesystem::path partners_file;
  // The master key file; when absent, the key is read from PASSERELLE_MASTER_KEY (64 hex digits).
  std::optional<std::filesystem::path> master_key_file;
  // The store: a SQLite file, or PostgreSQL when `postgresql` is set (then `sqlite_file` is
  // empty).
  std::filesystem::path sqlite_file;
  std::optional<PostgresConfig> postgresql;
  // The sharing policy directory (policy.json and one file per partner kind); when absent, the
  // default policy built into the binary.
  std::optional<std::filesystem::path> policies_dir;
  AuditConfig audit;
  RetentionConfig retention;
  WebhookConfig webhooks;
  // The controller named in consent records (the "controller" object); none when absent.
  std::optional<core::ConsentController> controller;
};

// The audit log's SQLite file for this configuration (SQLite backend).
std::filesystem::path auditFile(const AppConfig& config);

// Where this node keeps a file of its own named `name` ("lock", "imports", "exports"): beside
// the SQLite file ("<store>.<name>"), or in store.postgresql.work_dir.
std::filesystem::path localPath(const AppConfig& config, const std::string& name);

}  // namespace passerelle::app
