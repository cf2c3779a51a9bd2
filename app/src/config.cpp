#include "passerelle/app/config.hpp"

#include <cctype>
#include <cstdio>
#include <utility>
#include <vector>

namespace passerelle::app {

std::filesystem::path auditFile(const AppConfig& config) {
  if (config.audit.sqlite_file) return *config.audit.sqlite_file;
  auto file = config.sqlite_file;
  file += ".audit";
  return file;
}

std::filesystem::path localPath(const AppConfig& config, const std::string& name) {
  if (config.postgresql) return config.postgresql->work_dir / name;
  auto path = config.sqlite_file;
  path += "." + name;
  return path;
}

namespace {

bool isUri(const std::string& url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

// A value in a URI's query (RFC 3986 unreserved characters kept, the rest percent-encoded).
std::string uriEncoded(const std::string& value) {
  std::string out;
  for (const unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

// A value in a key=value string: single-quoted, with backslashes and quotes escaped.
std::string quoted(const std::string& value) {
  std::string out = "'";
  for (const char c : value) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

std::string connectionString(const std::string& url, const PostgresConfig& config) {
  std::vector<std::pair<std::string, std::string>> extra;
  if (!config.tls_mode.empty()) extra.emplace_back("sslmode", config.tls_mode);
  if (config.tls_ca_file) extra.emplace_back("sslrootcert", config.tls_ca_file->string());
  if (config.tls_certificate) extra.emplace_back("sslcert", config.tls_certificate->string());
  if (config.tls_private_key) extra.emplace_back("sslkey", config.tls_private_key->string());
  std::string out = url;
  for (const auto& [key, value] : extra) {
    if (isUri(url)) {
      out += out.find('?') == std::string::npos ? "?" : "&";
      out += key + "=" + uriEncoded(value);
    } else {
      out += " " + key + "=" + quoted(value);
    }
  }
  return out;
}

}  // namespace passerelle::app
