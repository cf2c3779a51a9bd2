// `passerelle policy explain|check` and `passerelle consent verify`: the policy and the
// receipts, read without a running gateway.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "passerelle/app/application.hpp"
#include "passerelle/dossiers/consent_service.hpp"
#include "passerelle/gateway/config.hpp"
#include "passerelle/policies/explain.hpp"

namespace passerelle::cli {

namespace {

namespace fs = std::filesystem;

policies::PolicySet policyFrom(const std::string& config, const std::string& dir) {
  const auto& catalogue = schemas::FieldCatalogue::builtin();
  if (!dir.empty()) return policies::PolicySet::loadDirectory(dir, catalogue);
  if (!config.empty()) {
    const auto c = gateway::loadConfig(config);
    if (c.policies_dir) return policies::PolicySet::loadDirectory(*c.policies_dir, catalogue);
  }
  return policies::PolicySet::builtin(catalogue);
}

int check(const fs::path& target) {
  const auto& catalogue = schemas::FieldCatalogue::builtin();
  policies::PolicySet set = [&] {
    if (fs::is_directory(target)) return policies::PolicySet::loadDirectory(target, catalogue);
    // One file: checked with the other files of the default policy, replacing its namesake.
    std::ifstream in(target);
    if (!in) throw std::runtime_error("cannot read " + target.string());
    std::stringstream text;
    text << in.rdbuf();
    auto files = policies::PolicySet::builtinFiles();
    files[target.filename().string()] = text.str();
    return policies::PolicySet::parse(files, catalogue);
  }();
  std::cout << "policy " << target.string() << " is valid: version " << set.version() << ", "
            << set.rules().size() << " rules\n";
  return 0;
}

int verifyReceipt(const std::string& file, std::optional<std::string> expected) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file);
  nlohmann::json receipt;
  try {
    receipt = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception&) {  // a syntax error, or a number out of range
    std::cout << "INVALID: " << file << " is not JSON\n";
    return 1;
  }
  // A receipt as the API returns it ({"consent", "receipt"}) or the receipt alone.
  const auto& r = receipt.contains("receipt") && receipt["receipt"].contains("receipt")
                      ? receipt["receipt"]
                      : receipt;
  const auto check = dossiers::verifyReceipt(r, expected);
  if (!check.valid) {
    std::cout << "INVALID: " << check.problem << "\n";
    return 1;
  }
  std::cout << "VALID: " << r["receipt"]["type"].get<std::string>() << " "
            << r["receipt"]["record"]["id"].get<std::string>() << ", signed by " << check.public_key
            << (expected ? " (this gateway)" : " (compare with `passerelle keys public`)") << "\n";
  return 0;
}

}  // namespace

void addPolicyCommands(CLI::App& program, ExitStatus& exit) {
  auto* policy = program.add_subcommand("policy", "The sharing policy: explain it, check it.");
  policy->require_subcommand(1);

  struct Explain {
    std::string config, dir, kind, purpose;
  };
  auto explain = std::make_shared<Explain>();
  auto* e = policy->add_subcommand(
      "explain",
      "Print, in French, who may read or write which fields, for which purpose and on which "
      "legal basis (the record of processing activities, GDPR art. 30). Without --config or "
      "--policy, the default policy built into this binary.");
  auto* config = e->add_option("--config", explain->config, "a gateway's configuration file");
  e->add_option("--policy", explain->dir, "a policy directory")->excludes(config);
  e->add_option("--partner-kind", explain->kind, "only this partner kind");
  e->add_option("--purpose", explain->purpose, "only this purpose");
  e->callback([explain] {
    std::optional<core::PartnerKind> kind;
    std::optional<core::Purpose> purpose;
    if (!explain->kind.empty() && !(kind = core::parsePartnerKind(explain->kind)))
      throw UsageError("unknown partner kind " + explain->kind);
    if (!explain->purpose.empty() && !(purpose = core::parsePurpose(explain->purpose)))
      throw UsageError("unknown purpose " + explain->purpose);
    policies::explainPolicy(std::cout, policyFrom(explain->config, explain->dir),
                            schemas::FieldCatalogue::builtin(), kind, purpose);
  });

  auto target = std::make_shared<std::string>();
  auto* c = policy->add_subcommand(
      "check",
      "Validate a policy directory, or one policy file (with the default policy's other "
      "files); the exit status says whether the gateway would accept it.");
  c->add_option("DIR|FILE", *target, "the policy directory or file")->required();
  c->callback([target, &exit] { exit.value = check(*target); });

  auto* consent = program.add_subcommand("consent", "Consent receipts.");
  consent->require_subcommand(1);
  struct Verify {
    std::string receipt, public_key, config;
  };
  auto verify = std::make_shared<Verify>();
  auto* v = consent->add_subcommand(
      "verify",
      "Check a consent receipt's signature (and, with a key, that this gateway signed it).");
  v->add_option("RECEIPT", verify->receipt, "the receipt (JSON)")->required();
  auto* key = v->add_option("--public-key", verify->public_key, "the gateway's key (hex)");
  v->add_option("--config", verify->config, "the gateway's configuration file")->excludes(key);
  v->callback([verify, &exit] {
    std::optional<std::string> expected;
    if (!verify->public_key.empty()) expected = verify->public_key;
    if (!verify->config.empty())
      expected = app::gatewayPublicKey(gateway::loadConfig(verify->config));
    exit.value = verifyReceipt(verify->receipt, expected);
  });
}

}  // namespace passerelle::cli
