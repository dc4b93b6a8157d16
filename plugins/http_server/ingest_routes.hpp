#pragma once
// The HTTP side of the http_server source, called on the connection loop's thread: which
// requests are refused on their head (404, 405, 401, 415), and what a complete request
// becomes: a 400 with the body's first error, or records offered to the IngestQueue.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "body_parser.hpp"
#include "connection_loop.hpp"
#include "ingest_queue.hpp"

namespace graph_runner::plugins {

struct RouteOptions {
  std::string path = "/ingest", health_path = "/health";
  std::string format = "auto";  // auto | ndjson | json
  std::string token;            // empty: no authentication
  int retry_after_s = 1;
};

class IngestRoutes {
 public:
  using Reply = net::ConnectionLoop::Reply;
  IngestRoutes(RouteOptions options, BodyParser& parser, IngestQueue& queue)
      : options_(std::move(options)), parser_(parser), queue_(queue) {}

  std::optional<Reply> check_head(std::string_view head) const;
  Reply answer(net::ConnectionLoop::Request& request);
  // An answer of the IngestQueue as a response (503 with Retry-After).
  Reply reply(const IngestQueue::Answer& answer, bool close = false) const;

 private:
  std::optional<BodyFormat> format_of(std::optional<std::string_view> content_type) const;

  const RouteOptions options_;
  BodyParser& parser_;
  IngestQueue& queue_;
};

// `"text"` with JSON escapes.
std::string json_string(std::string_view text);

}  // namespace graph_runner::plugins
