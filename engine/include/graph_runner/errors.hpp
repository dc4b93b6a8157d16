#pragma once
/// @file errors.hpp
/// SDK 1.3: exceptions a plugin throws to tell the engine more than "this call failed".
///
/// Any exception from a call goes through the node's `on_error` policy. These two add:
/// - CallError: fields added to the records a failed call routes to port `errors` (under
///   `on_error = "route"`), besides `error` and `error_node` — a network sink's HTTP status.
/// - TransientError: the failure may pass if the same call is made again later (a server
///   busy or down, a timeout). The engine retries the call up to the node's `retries`
///   times whatever its `on_error` says, waiting `backoff_ms` doubling and at least
///   retry_after(); only when the retries are used up does `on_error` apply.
/// @code
///   if (status == 503) throw graph_runner::TransientError("HTTP 503", std::chrono::seconds(2));
///   if (status == 400) throw graph_runner::CallError("HTTP 400: " + excerpt, {{"http_status", std::int64_t{400}}});
/// @endcode

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "graph_runner/export.hpp"

namespace graph_runner {

/// A field of the records a failed call routes: an integer or a string.
using ErrorField = std::pair<std::string, std::variant<std::int64_t, std::string>>;

/// A failed call, with fields for its routed records (see the file comment).
class GRAPH_RUNNER_API CallError : public std::runtime_error {
 public:
  explicit CallError(const std::string& message, std::vector<ErrorField> fields = {})
      : std::runtime_error(message), fields_(std::move(fields)) {}
  ~CallError() override;
  /// Added to each routed record, after `error` and `error_node`.
  const std::vector<ErrorField>& fields() const noexcept { return fields_; }

 private:
  std::vector<ErrorField> fields_;
};

/// A failure worth retrying: retried under every `on_error` policy (see the file comment).
class GRAPH_RUNNER_API TransientError : public CallError {
 public:
  explicit TransientError(const std::string& message,
                          std::chrono::milliseconds retry_after = std::chrono::milliseconds(0),
                          std::vector<ErrorField> fields = {})
      : CallError(message, std::move(fields)), retry_after_(retry_after) {}
  ~TransientError() override;
  /// The least wait before the retry (an HTTP `Retry-After`); zero = only the backoff.
  /// The engine caps it at 5 minutes.
  std::chrono::milliseconds retry_after() const noexcept { return retry_after_; }

 private:
  std::chrono::milliseconds retry_after_;
};

}  // namespace graph_runner
