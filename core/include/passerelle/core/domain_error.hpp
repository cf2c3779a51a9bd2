#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace passerelle::core {

// What went wrong, in terms the HTTP edge maps to exactly one problem type each. Every module
// throws these at its border; a bug (an invariant of the code broken) throws std::logic_error
// instead, which is answered as an internal error and is no kind of this vocabulary.
enum class ErrorKind {
  invalid_input,        // the request cannot be understood (bad JSON, bad parameter)
  validation_failed,    // well-formed, but breaks a schema rule; field errors say where
  not_found,            // no such dossier or section (or not visible to the caller)
  forbidden,            // the policy does not let the caller do this; fields say which
  conflict,             // an identifier already belongs to another dossier
  gone,                 // the dossier was merged into another (members: merged_into)
  precondition_failed,  // If-Match / If-None-Match does not hold
  integrity,            // stored data failed its integrity check
  unavailable,          // the store cannot be read or written now (full disk, I/O error, a
                        // file being written): nothing changed, retry later
  audit_unavailable,    // the audit log cannot record now: nothing is returned (audit/)
  unusable_file,        // a partner file cannot be read further; nothing more is imported
  configuration,        // a file or setting the operator gave is wrong (configuration,
                        // registry, policy, keys): the message names it
};

// Whether an error refuses what was asked (asking again the same is refused again), rather than
// saying that the gateway could not serve it now or is set up wrong.
bool isRefusal(ErrorKind kind);

// One broken rule in a submitted document. `pointer` is a JSON pointer (RFC 6901) into the
// submitted document, `rule` the schema keyword or check that failed. Never holds a value.
struct FieldError {
  std::string pointer;
  std::string rule;
  std::string message;

  friend bool operator==(const FieldError&, const FieldError&) = default;
};

// An error the caller can act on. The message never contains personal data, since it may reach
// the application log and the client.
class DomainError : public std::runtime_error {
 public:
  DomainError(ErrorKind kind, const std::string& message, std::vector<FieldError> fields = {});

  ErrorKind kind() const { return kind_; }
  const std::vector<FieldError>& fieldErrors() const { return fields_; }
  // Ids the caller can act on (the reconciliation case opened, the dossier a merged one
  // became): the problem+json answer carries them as members, the audit entry in its details.
  // Ids only, never a value the client sent.
  const std::map<std::string, std::string>& members() const { return members_; }
  DomainError& with(const std::string& key, const std::string& value) {
    members_[key] = value;
    return *this;
  }

 private:
  ErrorKind kind_;
  std::vector<FieldError> fields_;
  std::map<std::string, std::string> members_;
};

}  // namespace passerelle::core
