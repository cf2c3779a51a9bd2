#include "passerelle/core/consent.hpp"

#include "passerelle/core/enum_names.hpp"

namespace passerelle::core {

namespace {
constexpr EnumNames<ConsentMethod, 3> kNames({{
    {ConsentMethod::ecrit, "ecrit"},
    {ConsentMethod::oral, "oral"},
    {ConsentMethod::numerique, "numerique"},
}});
}  // namespace

std::optional<ConsentMethod> parseConsentMethod(std::string_view name) {
  return kNames.parse(name);
}
std::string_view toString(ConsentMethod method) {
  return kNames.name(method);
}

std::string_view toString(ConsentRecord::Kind kind) {
  switch (kind) {
    case ConsentRecord::Kind::given:
      return "given";
    case ConsentRecord::Kind::withdrawn:
      return "withdrawn";
    case ConsentRecord::Kind::reaffirmed:
      return "reaffirmed";
  }
  return "given";
}

std::optional<ConsentRecord::Kind> parseConsentKind(std::string_view name) {
  for (auto k : {ConsentRecord::Kind::given, ConsentRecord::Kind::withdrawn,
                 ConsentRecord::Kind::reaffirmed})
    if (toString(k) == name) return k;
  return std::nullopt;
}

std::optional<UtcTime> effectiveExpiry(const ConsentRecord& given,
                                       const std::vector<ConsentRecord>& all, const UtcTime& now) {
  const ConsentRecord* latest = nullptr;
  for (const auto& r : all)
    if (r.kind == ConsentRecord::Kind::reaffirmed && r.withdraws == given.id &&
        r.recorded_at <= now && (!latest || latest->given_at < r.given_at))
      latest = &r;
  return latest ? latest->expires_at : given.expires_at;
}

}  // namespace passerelle::core
