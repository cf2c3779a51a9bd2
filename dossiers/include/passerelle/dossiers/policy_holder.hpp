#pragma once

#include <memory>
#include <mutex>

#include "passerelle/policies/policy_set.hpp"

namespace passerelle::dossiers {

// The sharing policy in force, replaceable while requests run (SIGHUP, admin call). A request
// takes one snapshot and decides with it from start to end. Thread-safe.
class PolicyHolder {
 public:
  explicit PolicyHolder(policies::PolicySet initial)
      : current_(std::make_shared<const policies::PolicySet>(std::move(initial))) {}

  std::shared_ptr<const policies::PolicySet> current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }

  void replace(policies::PolicySet next) {
    auto replacement = std::make_shared<const policies::PolicySet>(std::move(next));
    std::lock_guard lock(mutex_);
    current_ = std::move(replacement);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const policies::PolicySet> current_;
};

}  // namespace passerelle::dossiers
