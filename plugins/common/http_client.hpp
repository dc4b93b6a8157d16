#pragma once
// An HTTP client for the plugins that talk to servers (the `http` sink, the `http_call`
// stage): one libcurl easy handle per Client, so one connection kept alive per plugin
// instance. TLS verified against the system CAs (or `ca_file`); proxies from the usual
// environment variables (http_proxy, https_proxy, no_proxy: libcurl's default).
//
// send() never throws for what a server or the network does: the Response says whether the
// outcome is ok (2xx), transient (408, 429, 5xx, timeouts, connection errors: worth a retry,
// with the server's Retry-After) or permanent (other statuses, TLS and URL errors). The
// plugin decides; throw_unless_ok() turns it into the SDK's TransientError / CallError.
//
// Header values are secrets (tokens): they never appear in a message this code makes.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace graph_runner::plugins::http {

struct ClientOptions {
  std::chrono::milliseconds timeout{30000};          // a whole request, connecting included
  std::chrono::milliseconds connect_timeout{10000};  // at most `timeout`
  std::string ca_file{};           // PEM file of trusted CAs instead of the system's; empty = system
  bool tls_verify = true;          // false: no certificate or host name check (the caller warns loudly)
  std::size_t body_excerpt = 1024; // bytes of each response body kept; the rest is read and discarded
};

struct Header {
  std::string name{}, value{};  // the value is secret: never logged, never in a message
};

struct Request {
  std::string method = "POST";  // POST, PUT, GET, ...
  std::string url{};
  std::vector<Header> headers{};
  std::string_view content_type{};  // empty: none
  std::string_view body{};        // sent as is (compress it with gzip() and say so in a header)
};

enum class Outcome { ok, transient, permanent };

struct Response {
  Outcome outcome = Outcome::permanent;
  long status = 0;            // 0: no HTTP answer (connection failed, timed out, TLS refused)
  std::string error{};        // empty when ok; else what happened, for messages ("HTTP 503 ...")
  std::vector<std::pair<std::string, std::string>> headers{};  // of the final answer; names lower-case
  std::string body{};         // the first ClientOptions::body_excerpt bytes
  bool body_truncated = false;
  std::chrono::milliseconds retry_after{0};  // from Retry-After on a transient answer; 0 = none
  double seconds = 0;         // how long the request took

  // The first header named `name` (lower-case), or nullptr.
  const std::string* header(std::string_view name) const;
};

class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // One request on the kept-alive connection (a new one when the server closed it). Not
  // thread-safe: one Client per thread or plugin instance.
  Response send(const Request& request);

 private:
  struct Handle;
  ClientOptions options_;
  Handle* handle_;
};

// 2xx ok; 408, 429, 5xx transient; anything else permanent.
Outcome classify_status(long status) noexcept;

// A Retry-After value: delay-seconds, or an HTTP-date (relative to `now`; a past date is 0).
// nullopt when it is neither.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

// `body` compressed as gzip (RFC 1952), for `Content-Encoding: gzip`. libcurl decompresses
// answers but never compresses a request, so this uses zlib.
std::string gzip(std::string_view body, int level = 6);

// Why `url` cannot be requested (not http:// or https://, no host), or nullopt when it can.
std::optional<std::string> check_url(std::string_view url);

// `url` for messages: without a user:password@ part.
std::string redact_url(std::string_view url);

// Text safe to put in a message or a record: at most `max` bytes, control characters as
// spaces, "..." when cut.
std::string excerpt(std::string_view text, std::size_t max = 200);

// Throws for a response that is not ok: graph_runner::TransientError (with retry_after) or
// graph_runner::CallError, both with the fields http_status (0 without an answer) and
// http_body (the body's excerpt) for routed records. `what` names the request in the
// message, e.g. "POST http://host/path" (see redact_url).
void throw_unless_ok(const Response& response, std::string_view what);

}  // namespace graph_runner::plugins::http
