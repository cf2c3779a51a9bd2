#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace passerelle::policies {

// One rung of a column's generalisation ladder in an export: how coarse a value leaves.
enum class Generalisation {
  keep,           // as stored
  month,          // "mois": 2024-03-17 -> 2024-03
  quarter,        // "trimestre": -> 2024-T1
  year,           // "annee": -> 2024
  birth_year,     // "annee_naissance": a birth date -> 1987
  age_band_5,     // "tranche_age_5": age at the reference date -> 35-39
  age_band_10,    // "tranche_age_10": -> 30-39
  age_band_spie,  // "tranche_age_spie": the SPIE bands -> <25, 25-44, 45-49, 50+
  departement,    // "departement": a postcode or INSEE code -> 93, 2A, 974
  cap_3,          // "plafond_3": a count -> 0, 1, 2, 3+
  diploma_group,  // "groupe_diplome": infra_bac, bac, superieur
  mask,           // "masque": "*" (the column says nothing)
};

// What kind of value a ladder applies to; rungs of another kind are refused in a profile.
enum class ValueKind { date, birth_date, place, plain };

std::optional<Generalisation> parseGeneralisation(std::string_view name);
std::string_view toString(Generalisation g);

// Whether `g` applies to values of `kind`, and how coarse it is among those that do (0 = keep).
bool appliesTo(Generalisation g, ValueKind kind);
int coarseness(Generalisation g);

// `value` generalised by `g`; ages are computed at `reference_date` (YYYY-MM-DD). A value that the
// rule cannot read (not a date, not a postcode) becomes null: it leaves as missing, never raw.
nlohmann::json generalise(Generalisation g, const nlohmann::json& value,
                          std::string_view reference_date);

}  // namespace passerelle::policies
