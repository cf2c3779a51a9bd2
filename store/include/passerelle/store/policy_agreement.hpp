#pragma once

#include <optional>
#include <string>

namespace passerelle::store {

// How the nodes sharing one database agree on the sharing policy in force (docs/ARCHITECTURE.md,
// "Policy files on several nodes"): each node says when it starts serving a version (at start,
// at a reload) and, every few seconds, which one it serves. The version in force is the one
// most recently adopted among those served by a node heard from within kLiveSeconds. Node ids
// name no person. Thread-safe; errors are core::DomainError of the store's kinds.
class PolicyAgreement {
 public:
  virtual ~PolicyAgreement() = default;
  // This node starts serving `version` now.
  virtual void adopt(const std::string& node, const std::string& version) = 0;
  // This node still serves `version`.
  virtual void heartbeat(const std::string& node, const std::string& version) = 0;
  // The version in force; nothing if no node was heard from lately.
  virtual std::optional<std::string> inForce() = 0;

  static constexpr int kLiveSeconds = 30;
};

}  // namespace passerelle::store
