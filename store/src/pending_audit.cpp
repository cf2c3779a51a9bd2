#include "passerelle/store/pending_audit.hpp"

#include "pending_audit_work.hpp"

namespace passerelle::store {

namespace {

thread_local PendingAuditScope* current_scope = nullptr;
thread_local PendingWork* active_work = nullptr;

}  // namespace

PendingAuditScope::PendingAuditScope(std::function<std::string()> context)
    : make_context_(std::move(context)), outer_(current_scope) {
  current_scope = this;
}

const std::string& PendingAuditScope::context() {
  if (!context_) context_ = make_context_();
  return *context_;
}

PendingAuditScope::~PendingAuditScope() {
  // A request whose import committed records has changed the store, though its own entry
  // claims none of their rows.
  if (committed_ && outer_ != nullptr) outer_->committed_ = true;
  current_scope = outer_;
}

std::vector<std::string> PendingAuditScope::claim() {
  return std::exchange(unclaimed_, {});
}

PendingAuditScope* PendingAuditScope::current() {
  return current_scope;
}

void PendingAuditScope::addCommitted(std::string id) {
  unclaimed_.push_back(std::move(id));
  committed_ = true;
}

void noteChangedDossier(const core::DossierId& dossier) {
  if (active_work == nullptr) return;
  for (const auto& d : active_work->dossiers)
    if (d == dossier) return;
  active_work->dossiers.push_back(dossier);
}

PendingWork::Active::Active(PendingWork* work) : outer_(active_work) {
  active_work = work;
}

PendingWork::Active::~Active() {
  active_work = outer_;
}

}  // namespace passerelle::store
