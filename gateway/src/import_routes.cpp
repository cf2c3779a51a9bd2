// POST /v1/imports/{format}: a source partner's file, imported under the sharing policy.
#include <filesystem>

#include "passerelle/connectors/delimited_reader.hpp"
#include "passerelle/crypto/bytes.hpp"
#include "passerelle/gateway/problem.hpp"
#include "routes.hpp"

namespace passerelle::gateway {

namespace {

// What these routes call, and nothing else.
struct ImportRouteServices {
  dossiers::DossierService& dossiers;
  app::Imports& imports;
  std::filesystem::path import_spool;
};

// The spooled body, removed whatever happens: it holds personal data in clear.
class SpoolFile {
 public:
  explicit SpoolFile(std::filesystem::path path) : path_(std::move(path)) {}
  ~SpoolFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  SpoolFile(const SpoolFile&) = delete;
  SpoolFile& operator=(const SpoolFile&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

ApiResponse postImport(ImportRouteServices& services, ApiRequest& request) {
  const auto format = connectors::parseImportFormat(request.pathParam("format"));
  if (!format)
    throw ProblemException({ProblemType::not_found,
                            "no such import format: caf-rsa-xml, france-travail-csv or ndjson",
                            {}});
  request.audit().details["format"] = std::string(connectors::toString(*format));
  const auto params = queryParams(request, {"dry_run", "accept_count_mismatch"});
  const auto flag = [&](const char* name) {
    if (!params.count(name)) return false;
    if (params.at(name) != "true" && params.at(name) != "false")
      badParameter(std::string(name) + " must be true or false");
    return params.at(name) == "true";
  };
  const connectors::ImportOptions options{flag("dry_run"), flag("accept_count_mismatch")};
  const bool dry_run = options.dry_run;
  const auto caller = callerOf(request);
  services.dossiers.requireWriter(caller);  // before reading a possibly large file
  // Named by the server: two imports sent with one X-Request-Id must not share a file.
  const SpoolFile spool(services.import_spool /
                        (crypto::toHex(crypto::randomBytes(16)) + ".import"));
  request.spoolBody(spool.path(), request.limits().max_import_bytes);
  const app::ImportOrder order{caller.partner.id,
                               request.presentedCredential(),
                               caller.purpose,
                               *format,
                               request.id(),
                               false,
                               options};
  try {
    const auto report = services.imports.run(order, spool.path());
    auto& details = request.audit().details;
    details["dry_run"] = dry_run ? "true" : "false";
    details["records"] = std::to_string(report.records);
    details["created"] = std::to_string(report.created);
    details["matched"] = std::to_string(report.matched);
    details["updated"] = std::to_string(report.updated);
    details["unchanged"] = std::to_string(report.unchanged);
    details["rejected"] = std::to_string(report.rejected);
    return {200, report.toJson(), {}};
  } catch (const connectors::FileFormatError& e) {
    throw ProblemException({ProblemType::unusable_file, e.what(), {}});
  }
}

}  // namespace

void addImportRoutes(Router& router, dossiers::DossierService& dossiers, app::Imports& imports,
                     std::filesystem::path import_spool) {
  const auto services = std::make_shared<ImportRouteServices>(
      ImportRouteServices{dossiers, imports, std::move(import_spool)});
  router.add({"POST", "/v1/imports/{format}", true, true, bindRoute(services, &postImport),
              audit::AuditAction::import_run});
}

}  // namespace passerelle::gateway
