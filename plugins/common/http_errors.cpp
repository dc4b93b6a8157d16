// Response -> SDK exception, apart from the client so the client needs no engine header.
#include <cstdint>

#include "graph_runner/errors.hpp"
#include "http_client.hpp"

namespace graph_runner::plugins::http {

void throw_unless_ok(const Response& r, std::string_view what) {
  if (r.outcome == Outcome::ok) return;
  std::string message = std::string(what) + ": " + r.error;
  const std::string body = excerpt(r.body);
  if (!body.empty()) message += ": " + body;
  std::vector<ErrorField> fields{{"http_status", std::int64_t{r.status}}, {"http_body", excerpt(r.body, 1024)}};
  if (r.outcome == Outcome::transient) {
    if (r.retry_after.count() > 0) message += " (Retry-After " + std::to_string(r.retry_after.count()) + " ms)";
    throw TransientError(message, r.retry_after, std::move(fields));
  }
  throw CallError(message, std::move(fields));
}

}  // namespace graph_runner::plugins::http
