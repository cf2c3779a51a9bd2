#include "passerelle/gateway/config.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "passerelle/core/domain_error.hpp"

namespace passerelle::gateway {

namespace {

using nlohmann::json;

class ConfigReader {
 public:
  ConfigReader(std::filesystem::path file) : file_(std::move(file)), base_(file_.parent_path()) {}

  void onlyKeys(const json& object, const std::string& where, std::set<std::string> allowed) {
    if (!object.is_object()) fail(where + " must be an object");
    for (const auto& [key, value] : object.items())
      if (allowed.count(key) == 0) fail("unknown key " + where + "." + key);
  }

  std::filesystem::path path(const json& object, const std::string& key, const std::string& where) {
    if (!object.contains(key) || !object[key].is_string())
      fail(where + "." + key + " must be a path");
    std::filesystem::path p = object[key].get<std::string>();
    return p.is_absolute() ? p : base_ / p;
  }

  template <class T>
  void number(const json& object, const std::string& key, const std::string& where, T& out) {
    if (!object.contains(key)) return;
    if (!object[key].is_number_integer() || object[key].get<long long>() < 0)
      fail(where + "." + key + " must be a non-negative integer");
    out = object[key].get<T>();
  }

  [[noreturn]] void fail(const std::string& message) const {
    throw core::DomainError(core::ErrorKind::configuration,
                            "configuration " + file_.string() + ": " + message);
  }

 private:
  std::filesystem::path file_;
  std::filesystem::path base_;
};

}  // namespace

GatewayConfig loadConfig(const std::filesystem::path& path) {
  ConfigReader reader(path);
  std::ifstream in(path);
  if (!in) reader.fail("cannot be read");
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::parse_error& e) {
    reader.fail("not valid JSON (byte " + std::to_string(e.byte) + ")");
  } catch (const json::out_of_range&) {
    reader.fail("not valid JSON (a number out of range)");
  }
  reader.onlyKeys(doc, "(root)",
                  {"listen", "tls", "partners", "master_key_file", "store", "limits", "policies",
                   "audit", "retention", "webhooks", "controller", "logging", "metrics"});

  GatewayConfig config;
  if (doc.contains("listen")) {
    const auto& listen = doc["listen"];
    reader.onlyKeys(listen, "listen", {"host", "port"});
    if (listen.contains("host")) config.server.host = listen["host"].get<std::string>();
    reader.number(listen, "port", "listen", config.server.port);
  }
  if (!doc.contains("tls")) reader.fail("tls is required");
  reader.onlyKeys(doc["tls"], "tls", {"certificate", "private_key", "client_ca"});
  config.server.tls = {reader.path(doc["tls"], "certificate", "tls"),
                       reader.path(doc["tls"], "private_key", "tls"),
                       reader.path(doc["tls"], "client_ca", "tls")};
  config.partners_file = reader.path(doc, "partners", "(root)");
  if (doc.contains("master_key_file"))
    config.master_key_file = reader.path(doc, "master_key_file", "(root)");
  if (doc.contains("policies")) config.policies_dir = reader.path(doc, "policies", "(root)");
  if (!doc.contains("store")) reader.fail("store is required");
  const auto& store = doc["store"];
  reader.onlyKeys(store, "store", {"sqlite", "postgresql"});
  if (store.contains("sqlite") == store.contains("postgresql"))
    reader.fail("store must name one backend: store.sqlite or store.postgresql");
  if (store.contains("sqlite")) config.sqlite_file = reader.path(store, "sqlite", "store");
  if (store.contains("postgresql")) {
    const auto& pg = store["postgresql"];
    reader.onlyKeys(pg, "store.postgresql",
                    {"url", "keys_url", "pool_size", "migrate", "tls", "work_dir"});
    app::PostgresConfig p;
    for (const auto& [key, out] :
         {std::pair<const char*, std::string*>{"url", &p.url}, {"keys_url", &p.keys_url}}) {
      if (!pg.contains(key) || !pg[key].is_string() || pg[key].get<std::string>().empty())
        reader.fail(std::string("store.postgresql.") + key +
                    " must be a PostgreSQL connection string");
      *out = pg[key].get<std::string>();
    }
    reader.number(pg, "pool_size", "store.postgresql", p.pool_size);
    if (p.pool_size < 1) reader.fail("store.postgresql.pool_size must be at least 1");
    if (pg.contains("migrate")) {
      if (!pg["migrate"].is_boolean())
        reader.fail("store.postgresql.migrate must be true or false");
      p.migrate = pg["migrate"].get<bool>();
    }
    if (pg.contains("tls")) {
      const auto& tls = pg["tls"];
      reader.onlyKeys(tls, "store.postgresql.tls",
                      {"mode", "ca_file", "certificate", "private_key"});
      static const std::set<std::string> kModes = {"disable", "allow",     "prefer",
                                                   "require", "verify-ca", "verify-full"};
      if (!tls.contains("mode") || !tls["mode"].is_string() ||
          kModes.count(tls["mode"].get<std::string>()) == 0)
        reader.fail(
            "store.postgresql.tls.mode must be one of disable, allow, prefer, require, "
            "verify-ca, verify-full");
      p.tls_mode = tls["mode"].get<std::string>();
      if (tls.contains("ca_file"))
        p.tls_ca_file = reader.path(tls, "ca_file", "store.postgresql.tls");
      if (tls.contains("certificate"))
        p.tls_certificate = reader.path(tls, "certificate", "store.postgresql.tls");
      if (tls.contains("private_key"))
        p.tls_private_key = reader.path(tls, "private_key", "store.postgresql.tls");
      if (p.tls_certificate.has_value() != p.tls_private_key.has_value())
        reader.fail("store.postgresql.tls.certificate and private_key go together");
      if ((p.tls_mode == "verify-ca" || p.tls_mode == "verify-full") && !p.tls_ca_file)
        reader.fail("store.postgresql.tls.ca_file is required to verify the server");
    }
    p.work_dir = reader.path(pg, "work_dir", "store.postgresql");
    config.postgresql = std::move(p);
  }
  if (doc.contains("limits")) {
    const auto& limits = doc["limits"];
    reader.onlyKeys(limits, "limits",
                    {"max_body_bytes", "max_import_bytes", "request_timeout_seconds",
                     "handshake_timeout_seconds", "header_timeout_seconds", "body_timeout_seconds",
                     "min_body_bytes_per_second", "keep_alive_timeout_seconds", "max_connections",
                     "max_connections_per_address", "max_threads", "max_queued"});
    auto& l = config.server.limits;
    reader.number(limits, "max_body_bytes", "limits", l.max_body_bytes);
    reader.number(limits, "max_import_bytes", "limits", l.max_import_bytes);
    // Each of these at 0 would refuse every connection, or cut each one at once.
    const std::pair<const char*, int*> positive[] = {
        {"request_timeout_seconds", &l.request_timeout_seconds},
        {"handshake_timeout_seconds", &l.handshake_timeout_seconds},
        {"header_timeout_seconds", &l.header_timeout_seconds},
        {"body_timeout_seconds", &l.body_timeout_seconds},
        {"min_body_bytes_per_second", &l.min_body_bytes_per_second},
        {"keep_alive_timeout_seconds", &l.keep_alive_timeout_seconds},
        {"max_connections", &l.max_connections},
        {"max_connections_per_address", &l.max_connections_per_address},
        {"max_threads", &l.max_threads}};
    for (const auto& [key, value] : positive) {
      reader.number(limits, key, "limits", *value);
      if (*value < 1) reader.fail(std::string("limits.") + key + " must be at least 1");
    }
    reader.number(limits, "max_queued", "limits", l.max_queued);
  }
  if (doc.contains("audit")) {
    const auto& audit = doc["audit"];
    reader.onlyKeys(
        audit, "audit",
        {"sqlite", "log_id", "checkpoint_interval_ms", "retention_months", "busy_timeout_ms"});
    auto& a = config.audit;
    if (audit.contains("sqlite")) {
      if (config.postgresql)
        reader.fail(
            "audit.sqlite does not go with store.postgresql: the audit log is in its "
            "database");
      a.sqlite_file = reader.path(audit, "sqlite", "audit");
    }
    if (audit.contains("log_id")) {
      if (!audit["log_id"].is_string() || audit["log_id"].get<std::string>().empty() ||
          audit["log_id"].get<std::string>().find('\n') != std::string::npos)
        reader.fail("audit.log_id must be a non-empty one-line string");
      a.log_id = audit["log_id"].get<std::string>();
    }
    reader.number(audit, "checkpoint_interval_ms", "audit", a.checkpoint_interval_ms);
    reader.number(audit, "retention_months", "audit", a.retention_months);
    reader.number(audit, "busy_timeout_ms", "audit", a.busy_timeout_ms);
    if (a.checkpoint_interval_ms < 10 || a.retention_months < 1)
      reader.fail(
          "audit.checkpoint_interval_ms must be at least 10 and audit.retention_months "
          "at least 1");
  }
  if (doc.contains("retention")) {
    const auto& retention = doc["retention"];
    reader.onlyKeys(retention, "retention", {"months", "daily"});
    reader.number(retention, "months", "retention", config.retention.months);
    if (config.retention.months < 1) reader.fail("retention.months must be at least 1");
    if (retention.contains("daily")) {
      if (!retention["daily"].is_boolean()) reader.fail("retention.daily must be true or false");
      config.retention.daily = retention["daily"].get<bool>();
    }
  }
  if (doc.contains("controller")) {
    const auto& c = doc["controller"];
    reader.onlyKeys(c, "controller", {"name", "contact"});
    const auto text = [&](const char* key) {
      if (!c.contains(key) || !c[key].is_string() || c[key].get<std::string>().empty() ||
          c[key].get<std::string>().size() > 200 ||
          c[key].get<std::string>().find('\n') != std::string::npos)
        reader.fail(std::string("controller.") + key +
                    " must be a one-line string of 1 to 200 characters");
      return c[key].get<std::string>();
    };
    config.controller = core::ConsentController{text("name"), text("contact")};
  }
  if (doc.contains("logging")) {
    const auto& l = doc["logging"];
    reader.onlyKeys(l, "logging", {"format"});
    if (l.contains("format")) {
      if (l["format"] == "json")
        config.log_format = GatewayConfig::LogFormat::json;
      else if (l["format"] != "text")
        reader.fail("logging.format must be \"text\" or \"json\"");
    }
  }
  if (doc.contains("metrics")) {
    const auto& m = doc["metrics"];
    reader.onlyKeys(m, "metrics", {"host", "port"});
    MetricsListen listen;
    if (m.contains("host")) {
      if (!m["host"].is_string() || m["host"].get<std::string>().empty())
        reader.fail("metrics.host must be an address");
      listen.host = m["host"].get<std::string>();
    }
    reader.number(m, "port", "metrics", listen.port);
    config.metrics = listen;
  }
  if (doc.contains("webhooks")) {
    const auto& w = doc["webhooks"];
    reader.onlyKeys(
        w, "webhooks",
        {"poll_ms", "backoff_base_ms", "backoff_max_seconds", "timeout_seconds", "ca_file"});
    auto& c = config.webhooks;
    reader.number(w, "poll_ms", "webhooks", c.poll_ms);
    reader.number(w, "backoff_base_ms", "webhooks", c.backoff_base_ms);
    reader.number(w, "backoff_max_seconds", "webhooks", c.backoff_max_seconds);
    reader.number(w, "timeout_seconds", "webhooks", c.timeout_seconds);
    if (w.contains("ca_file")) c.ca_file = reader.path(w, "ca_file", "webhooks");
    if (c.poll_ms < 10 || c.backoff_base_ms < 1 || c.backoff_max_seconds < 1 ||
        c.timeout_seconds < 1)
      reader.fail("webhooks: poll_ms must be at least 10, the others at least 1");
  }
  return config;
}

}  // namespace passerelle::gateway
