// http: sends each batch as one request (POST or PUT) of NDJSON, a JSON array or CSV.
// write() returns once the server answered 2xx: the batch is delivered (the Sink delivery
// contract). 408, 429, 5xx, timeouts and connection errors throw TransientError, which the
// engine retries under the node's `retries`/`backoff_ms` honouring Retry-After; other
// answers throw CallError, for the node's `on_error` (routed records carry http_status and
// http_body). Not thread-safe: `concurrency = N` makes N instances, each with its own
// kept-alive connection; with `blocking = true` their requests wait in the I/O arena.
#include <string>
#include <vector>

#include "body_encoder.hpp"
#include "graph_runner/sdk.hpp"
#include "http_client.hpp"
#include "http_node.hpp"

namespace graph_runner::plugins {
namespace {

class HttpSink : public Sink {
 public:
  explicit HttpSink(Context& c)
      : client_(http::client_options(c)), encoder_(*http::body_format(c.params().get_string("format"))),
        gzip_(c.params().get_bool("gzip")),
        request_(http::request_template(c, http::content_type(*http::body_format(c.params().get_string("format"))))),
        what_(request_.method + " " + http::redact_url(request_.url)) {}

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
  const std::string what_;  // "POST URL" for messages, without credentials
  std::string body_, compressed_;
};

}  // namespace

PluginDescriptor describe_http() {
  return PluginDescriptor::sink<HttpSink>(
             "http", "sends each batch as one HTTP request (NDJSON, JSON array or CSV); delivered when answered 2xx")
      .with_params([] {
        auto params = http::connection_params("http:// or https:// URL to send to (checked when the node is built)",
                                              30000);
        params.insert(params.begin() + 2,  // after url and method
                      ParamSpec::string("format", "body: \"ndjson\" (a JSON object per line), \"json\" (an array "
                                                  "of objects) or \"csv\" (a header row, then a row per record)")
                          .with_default("ndjson")
                          .one_of({"ndjson", "json", "csv"}));
        return params;
      }());
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_SINK_PLUGIN(http, graph_runner::plugins::describe_http)
