#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace passerelle::store {

// How the nodes sharing one database agree on the sharing policy in force, and which master key
// versions each holds (docs/ARCHITECTURE.md,
// "Policy files on several nodes"): each node says when it starts serving a version (at start,
// at a reload) and, every few seconds, which one it serves. The version in force is the one
// most recently adopted among those served by a node heard from within kLiveSeconds. Node ids
// name no person. Thread-safe; errors are core::DomainError of the store's kinds.
class PolicyAgreement {
 public:
  virtual ~PolicyAgreement() = default;
  // This node starts serving `version` now.
  virtual void adopt(const std::string& node, const std::string& version) = 0;
  // This node still serves `version`, and its copy of the master key file holds
  // `master_key_versions` (none if it could not be read).
  virtual void heartbeat(const std::string& node, const std::string& version,
                         const std::vector<int>& master_key_versions) = 0;
  // This node stops serving (a clean stop; a node that dies is forgotten after kLiveSeconds).
  virtual void leave(const std::string& node) = 0;
  // The version in force; nothing if no node was heard from lately.
  virtual std::optional<std::string> inForce() = 0;
  // How many nodes heard from lately do not hold master key `version` (`keys rotate` waits for
  // none, store/key_store.hpp).
  virtual std::int64_t liveNodesLacking(int master_key_version) = 0;

  static constexpr int kLiveSeconds = 30;
};

}  // namespace passerelle::store
