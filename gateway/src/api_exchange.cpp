#include "api_exchange.hpp"

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/MediaType.h>
#include <Poco/String.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <fstream>
#include <istream>
#include <vector>

#include "connection_guard.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/gateway/problem.hpp"
#include "passerelle/schemas/field_catalogue.hpp"
#include "passerelle/schemas/json_input.hpp"

namespace passerelle::gateway {

ApiRequest::ApiRequest(Poco::Net::HTTPServerRequest& http, const Limits& limits, core::RequestId id)
    : http_(http), limits_(limits), id_(std::move(id)) {}

namespace {

// The headers the gateway reads: a second one would be a second opinion, and the first one
// silently winning lets a proxy and the gateway disagree on what was asked.
constexpr std::array<const char*, 8> kSingleHeaders = {
    "X-Purpose",     "If-Match",     "Content-Length",    "Content-Type",
    "Authorization", "X-Request-Id", "Transfer-Encoding", "Host"};

[[noreturn]] void malformed(const std::string& detail) {
  throw ProblemException({ProblemType::malformed_request, detail, {}});
}

}  // namespace

void ApiRequest::checkMessage() {
  for (const char* name : kSingleHeaders) {
    std::size_t count = 0;
    for (auto it = http_.find(name); it != http_.end() && Poco::icompare(it->first, name) == 0;
         ++it)
      ++count;
    if (count > 1) malformed(std::string("the header ") + name + " is given more than once");
  }
  if (http_.has("Content-Length")) {
    const auto& value = http_.get("Content-Length");
    // Digits only, and few enough that the count fits: no sign, no space, no 2^66.
    if (value.empty() || value.size() > 18 ||
        value.find_first_not_of("0123456789") != std::string::npos)
      malformed("Content-Length must be a whole number of bytes");
    if (http_.getChunkedTransferEncoding())
      malformed("a message has a Content-Length or a chunked body, not both");
  } else if (http_.has("Transfer-Encoding") && !http_.getChunkedTransferEncoding()) {
    malformed("the only transfer coding accepted is chunked");
  }
  try {
    const Poco::URI target(http_.getURI());
    path_ = target.getPath();
    query_ = target.getQueryParameters();
  } catch (const Poco::Exception&) {
    malformed("the request target is not a valid URI (check its percent-encoding)");
  }
  body_consumed_ = !http_.hasContentLength() ? !http_.getChunkedTransferEncoding()
                                             : http_.getContentLength64() == 0;
}

void ApiRequest::requirePurpose() {
  if (!http_.has("X-Purpose"))
    throw ProblemException({ProblemType::purpose_required,
                            "declare the purpose of this access in the X-Purpose header",
                            {}});
  purpose_ = core::parsePurpose(Poco::trim(http_.get("X-Purpose")));
  if (!purpose_)
    throw ProblemException(
        {ProblemType::unknown_purpose,
         "X-Purpose must be one of instruction_rsa, orientation, accompagnement, suivi_parcours, "
         "controle, evaluation, statistique",
         {}});
}

namespace {

ProblemException bodyTimeout() {
  return ProblemException(
      {ProblemType::request_timeout, "the request body did not arrive in time", {}});
}

ProblemException shortBody() {
  return ProblemException(
      {ProblemType::malformed_request, "the body is shorter than its Content-Length", {}});
}

// Reads a request body within the connection's body deadline (connection_guard.hpp): every wait
// for bytes is bounded by the time left, so a client that trickles them gains nothing. One
// receive per call at most. Restores the connection's per-read timeout when done, and marks
// the end of the body phase. A request that no socket carries (the fuzzer's) is read as is.
class BodyReader {
 public:
  BodyReader(Poco::Net::HTTPServerRequest& http, const Limits& limits)
      : socket_(socketOf(http)),
        stream_(http.stream()),
        per_read_(std::chrono::seconds(limits.request_timeout_seconds)),
        clock_(socket_ != nullptr ? ConnectionClock::current() : nullptr) {}

  ~BodyReader() {
    try {
      if (socket_ != nullptr) socket_->setReceiveTimeout(Poco::Timespan(per_read_.count(), 0));
    } catch (const Poco::Exception&) {
      // the connection is gone: nothing to restore
    }
    if (clock_ != nullptr) clock_->enter(ConnectionClock::Phase::processing, {});
  }
  BodyReader(const BodyReader&) = delete;
  BodyReader& operator=(const BodyReader&) = delete;

  // Up to `size` bytes of what has arrived, waiting for one receive if nothing has; 0 at the
  // body's end. ProblemException(request_timeout) once the deadline has passed.
  std::size_t read(char* buffer, std::size_t size) {
    if (clock_ != nullptr) {
      const auto left = std::chrono::duration_cast<std::chrono::microseconds>(clock_->remaining());
      if (left < std::chrono::milliseconds(2)) throw bodyTimeout();
      // A TLS read that times out waits twice (the receive, then Poco's poll): half each, so
      // that neither the per-read timeout nor the deadline is exceeded.
      const auto wait = std::min<std::chrono::microseconds>(per_read_, left) / 2;
      socket_->setReceiveTimeout(Poco::Timespan(wait.count()));
    }
    // At the body's end, or left unusable by a read that failed: nothing more to read (and
    // exceptions(badbit) on a bad stream would throw at once).
    if (!stream_.good()) return 0;
    stream_.exceptions(std::ios::badbit);  // a timeout must surface as one (408)
    if (stream_.peek() == std::char_traits<char>::eof()) return 0;
    return static_cast<std::size_t>(stream_.readsome(buffer, static_cast<std::streamsize>(size)));
  }

 private:
  static Poco::Net::StreamSocket* socketOf(Poco::Net::HTTPServerRequest& http) {
    auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&http);
    return impl != nullptr ? &impl->socket() : nullptr;
  }

  Poco::Net::StreamSocket* socket_;
  std::istream& stream_;
  const std::chrono::seconds per_read_;
  ConnectionClock* clock_;
};

}  // namespace

nlohmann::json ApiRequest::jsonBody() {
  const std::string content_type = http_.get("Content-Type", "");
  bool is_json = false;
  try {
    is_json = Poco::Net::MediaType(content_type).matches("application", "json");
  } catch (const Poco::Exception&) {
    is_json = false;
  }
  if (!is_json)
    throw ProblemException({ProblemType::unsupported_media_type,
                            "send the body as Content-Type: application/json",
                            {}});

  const auto limit = limits_.max_body_bytes;
  const auto too_large =
      ProblemException({ProblemType::payload_too_large,
                        "the body exceeds the limit of " + std::to_string(limit) + " bytes",
                        {}});
  if (http_.hasContentLength() && http_.getContentLength64() > static_cast<Poco::Int64>(limit)) {
    drainBody();
    throw too_large;
  }

  // Read by chunks up to one byte past the limit: a buffer of the limit's size, zeroed at every
  // request, was a tenth of a small write's time.
  std::string body;
  if (http_.hasContentLength()) body.reserve(static_cast<std::size_t>(http_.getContentLength64()));
  std::array<char, 16 * 1024> chunk;
  {
    BodyReader reader(http_, limits_);
    while (body.size() <= limit) {
      const auto got = reader.read(chunk.data(), std::min(chunk.size(), limit + 1 - body.size()));
      if (got == 0) break;
      body.append(chunk.data(), got);
    }
  }
  if (body.size() > limit) {
    drainBody();
    throw too_large;
  }
  if (http_.hasContentLength() &&
      body.size() != static_cast<std::size_t>(http_.getContentLength64()))
    throw shortBody();
  body_consumed_ = true;
  return schemas::parseUntrustedJson(body);
}

void ApiRequest::spoolBody(const std::filesystem::path& file, std::size_t limit) {
  const auto too_large =
      ProblemException({ProblemType::payload_too_large,
                        "the file exceeds the import limit of " + std::to_string(limit) + " bytes",
                        {}});
  if (http_.hasContentLength() && http_.getContentLength64() > static_cast<Poco::Int64>(limit))
    throw too_large;  // unread: the connection is closed, not drained
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out)
    throw core::DomainError(core::ErrorKind::unavailable, "cannot create the import spool file");
  BodyReader reader(http_, limits_);
  std::vector<char> buffer(64 * 1024);
  std::size_t total = 0;
  while (true) {
    const auto n = reader.read(buffer.data(), buffer.size());
    if (n == 0) break;
    total += n;
    if (total > limit) {
      out.close();
      std::filesystem::remove(file);
      throw too_large;
    }
    out.write(buffer.data(), static_cast<std::streamsize>(n));
  }
  out.close();
  if (!out)
    throw core::DomainError(core::ErrorKind::unavailable, "cannot write the import spool file");
  if (http_.hasContentLength() && total != static_cast<std::uint64_t>(http_.getContentLength64()))
    throw shortBody();
  body_consumed_ = true;
}

void ApiRequest::drainBody() {
  // Closing a connection with unread bytes makes TCP reset it, and the client may then never see
  // the 413; reading (and discarding) a bounded amount lets it. Past the bound, the client is
  // abusive and the reset is its problem.
  const std::size_t cap = std::min<std::size_t>(limits_.max_body_bytes * 8, 64 * 1024 * 1024);
  char buffer[16 * 1024];
  std::size_t drained = 0;
  try {
    BodyReader reader(http_, limits_);
    for (std::size_t n = 1; drained < cap && n > 0; drained += n)
      n = reader.read(buffer, sizeof buffer);
  } catch (const std::exception&) {
    // The refusal stands; the client that stopped sending will not read it anyway.
  }
}

}  // namespace passerelle::gateway
