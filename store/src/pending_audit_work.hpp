#pragma once

#include <string>
#include <vector>

#include "passerelle/core/ids.hpp"

namespace passerelle::store {

// The outbox row a write queue's work is building while it runs (store/pending_audit.hpp): the
// committing thread runs other threads' works, so the row travels with the work, not with the
// thread that queued it.
struct PendingWork {
  std::vector<core::DossierId> dossiers;

  // Makes `work` the one noteChangedDossier() fills on this thread while it lives.
  class Active {
   public:
    explicit Active(PendingWork* work);
    ~Active();
    Active(const Active&) = delete;
    Active& operator=(const Active&) = delete;

   private:
    PendingWork* outer_;
  };
};

}  // namespace passerelle::store
