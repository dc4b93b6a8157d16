// http: sends each batch as one request (POST or PUT) of NDJSON, a JSON array or CSV.
// write() returns once the server answered 2xx: the batch is delivered (the Sink delivery
// contract). 408, 429, 5xx, timeouts and connection errors throw TransientError, which the
// engine retries under the node's `retries`/`backoff_ms` honouring Retry-After; other
// answers throw CallError, for the node's `on_error` (routed records carry http_status and
// http_body). Not thread-safe: `concurrency = N` makes N instances, each with its own
// kept-alive connection; with `blocking = true` their requests wait in the I/O arena.
#include <unistd.h>

#include <cctype>
#include <string>
#include <vector>

#include "body_encoder.hpp"
#include "graph_runner/sdk.hpp"
#include "http_client.hpp"

namespace graph_runner::plugins {
namespace {

// RFC 9110 token characters, for header names.
bool is_token(std::string_view name) {
  if (name.empty()) return false;
  for (char ch : name)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || std::string_view("!#$%&'*+-.^_`|~").find(ch) != std::string_view::npos))
      return false;
  return true;
}

http::ClientOptions client_options(Context& c) {
  http::ClientOptions o;
  o.timeout = std::chrono::milliseconds(c.params().get_int("timeout_ms"));
  o.connect_timeout = std::chrono::milliseconds(c.params().get_int("connect_timeout_ms"));
  o.ca_file = c.params().get_string("ca_file");
  o.tls_verify = c.params().get_bool("tls_verify");
  if (!o.ca_file.empty() && ::access(o.ca_file.c_str(), R_OK) != 0)
    c.param_error("ca_file", "cannot read '" + o.ca_file + "' (a PEM file of trusted CA certificates)");
  return o;
}

class HttpSink : public Sink {
 public:
  explicit HttpSink(Context& c)
      : client_(client_options(c)), encoder_(*http::body_format(c.params().get_string("format"))),
        gzip_(c.params().get_bool("gzip")) {
    request_.url = c.params().get_string("url");
    if (auto why = http::check_url(request_.url)) c.param_error("url", *why);
    request_.method = c.params().get_string("method");
    request_.content_type = http::content_type(*http::body_format(c.params().get_string("format")));
    what_ = request_.method + " " + http::redact_url(request_.url);
    for (const auto& [name, value] : c.params().get_string_map("headers")) {
      if (!is_token(name)) c.param_error("headers", "'" + name + "' is not a valid header name");
      // Never the value in a message: it may be a token.
      if (value.find_first_of("\r\n") != std::string::npos || value.find('\0') != std::string::npos)
        c.param_error("headers", "the value of header '" + name + "' holds a line break or NUL");
      std::string lower;
      for (char ch : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (lower == "content-type") request_.content_type = {};  // theirs replaces ours
      if (lower == "content-encoding" && gzip_)
        c.param_error("headers", "Content-Encoding is set by gzip = true; remove one of them");
      request_.headers.push_back({name, value});
    }
    if (gzip_) request_.headers.push_back({"Content-Encoding", "gzip"});
    if (!c.params().get_bool("tls_verify") && c.instance() == 0)
      c.log(LogLevel::warn, "TLS VERIFICATION IS OFF (tls_verify = false): the server's certificate and name are not "
                            "checked, so anyone on the network path can read and change what is sent to " +
                                http::redact_url(request_.url));
  }

  void write(const Batch& batch) override {
    if (batch.empty()) return;
    encoder_.encode(batch, body_);  // a retried batch is encoded again from the start
    if (gzip_) {
      compressed_ = http::gzip(body_);
      request_.body = compressed_;
    } else {
      request_.body = body_;
    }
    const http::Response r = client_.send(request_);
    http::throw_unless_ok(r, what_);
  }

 private:
  http::Client client_;
  http::BodyEncoder encoder_;
  const bool gzip_;
  http::Request request_;
  std::string what_;  // "POST URL" for messages, without credentials
  std::string body_, compressed_;
};

}  // namespace

PluginDescriptor describe_http() {
  return PluginDescriptor::sink<HttpSink>(
             "http", "sends each batch as one HTTP request (NDJSON, JSON array or CSV); delivered when answered 2xx")
      .with_params({
          ParamSpec::string("url", "http:// or https:// URL to send to (checked when the node is built)").mandatory(),
          ParamSpec::string("method", "request method").with_default("POST").one_of({"POST", "PUT"}),
          ParamSpec::string("format", "body: \"ndjson\" (a JSON object per line), \"json\" (an array of objects) or "
                                      "\"csv\" (a header row, then a row per record)")
              .with_default("ndjson")
              .one_of({"ndjson", "json", "csv"}),
          ParamSpec::boolean("gzip", "compress the body (Content-Encoding: gzip)").with_default(false),
          ParamSpec::string_map("headers", "extra request headers; values may use ${VAR} (tokens) and are never logged")
              .with_default(StringMap{}),
          ParamSpec::integer("timeout_ms", "limit for a whole request; past it the request is a transient failure")
              .with_default(std::int64_t{30000})
              .at_least(1),
          ParamSpec::integer("connect_timeout_ms", "limit for connecting (at most timeout_ms)")
              .with_default(std::int64_t{10000})
              .at_least(1),
          ParamSpec::string("ca_file", "PEM file of the CA certificates to trust instead of the system's; \"\" = system")
              .with_default(""),
          ParamSpec::boolean("tls_verify", "check the server's certificate and name; false is insecure and logged as a "
                                           "warning")
              .with_default(true),
      });
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_PLUGIN(http, graph_runner::plugins::describe_http)
