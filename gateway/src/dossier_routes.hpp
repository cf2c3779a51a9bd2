#pragma once

#include "passerelle/dossiers/dossier_service.hpp"
#include "router.hpp"

namespace passerelle::gateway {

// Registers the /v1/dossiers endpoints (DESIGN §8). The service must outlive the router.
void addDossierRoutes(Router& router, dossiers::DossierService& service);

}  // namespace passerelle::gateway
