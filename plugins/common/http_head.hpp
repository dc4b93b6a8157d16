#pragma once
// The head of an HTTP/1.x request (request line and header fields), parsed in place: what
// the connection loop needs to wait for a body (Content-Length) and what a server routes
// on. Strict where being lenient is a risk: a Content-Length that is not a number, two that
// differ, or one beside Transfer-Encoding is an error (request smuggling), not a guess.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace graph_runner::net {

struct HttpHead {
  std::string_view method, target, path;  // path: target without "?query"
  int minor_version = 1;                   // HTTP/1.0 or HTTP/1.1
  std::vector<std::pair<std::string_view, std::string_view>> fields;  // as sent, values trimmed
  std::size_t head_bytes = 0;              // up to and including the blank line
  std::size_t content_length = 0;
  bool chunked = false;                    // Transfer-Encoding present (we only take Content-Length)
  bool expect_continue = false;            // Expect: 100-continue
  bool keep_alive = true;                  // HTTP/1.1 unless "Connection: close"; 1.0 only with keep-alive

  // The first field of that name (case-insensitive), or nullopt.
  std::optional<std::string_view> field(std::string_view name) const;
};

// Parses the head at the start of `input` (which holds at least the blank line ending it).
// nullopt and `error` set ("bad request line", ...) when it is not a valid head.
std::optional<HttpHead> parse_http_head(std::string_view input, std::string& error);

bool equals_ignore_case(std::string_view a, std::string_view b);

// A complete response with a body (Content-Length) and any extra header lines ("Name: value\r\n").
std::string http_response(int status, std::string_view body, std::string_view content_type = "application/json",
                          std::string_view extra_headers = {}, bool close = false);
const char* http_reason(int status);

}  // namespace graph_runner::net
