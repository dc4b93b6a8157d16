// http_server: a source of records pushed over HTTP (webhooks, push ingest). POST a body
// of NDJSON, a JSON array of objects or one object to `path`; with ack = "end_to_end" the
// answer (200) comes once every record of the request has been acknowledged by the sinks,
// with "on_receive" (202) once all of them are in the graph. Backpressure reaches the
// client: when the source's in-flight limit is full, a request waits up to
// queue_timeout_ms for room, then gets 503 with Retry-After. See docs/http-server.md.
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <memory>
#include <thread>

#include "body_parser.hpp"
#include "connection_loop.hpp"
#include "graph_runner/sdk.hpp"
#include "ingest_queue.hpp"
#include "ingest_routes.hpp"
#include "listen_address.hpp"
#include "tls_context.hpp"

namespace graph_runner::plugins {
namespace {

using namespace std::chrono_literals;

// How long close() waits for the last answers to be sent.
constexpr auto final_answers_bound = 2s;

RouteOptions route_options(Context& c) {
  const Params& p = c.params();
  RouteOptions o;
  o.path = p.get_string("path");
  o.health_path = p.get_string("health_path");
  o.format = p.get_string("format");
  o.retry_after_s = int((p.get_int("queue_timeout_ms") + 999) / 1000);
  if (o.retry_after_s < 1) o.retry_after_s = 1;
  for (const char* name : {"path", "health_path"}) {
    const std::string value = p.get_string(name);
    if (!(value.empty() && std::string_view(name) == "health_path") && (value.empty() || value.front() != '/'))
      c.param_error(name, "'" + value + "' is not a path: it must start with '/'");
  }
  if (o.path == o.health_path) c.param_error("health_path", "must differ from path");
  if (const std::string env = p.get_string("token_env"); !env.empty()) {
    const char* token = std::getenv(env.c_str());
    if (token == nullptr || *token == '\0')
      c.param_error("token_env", "the environment variable " + env + " is not set or empty: no token to check");
    o.token = token;
  }
  return o;
}

IngestQueue::Options queue_options(Context& c) {
  const Params& p = c.params();
  IngestQueue::Options o;
  o.max_queued_bytes = std::size_t(p.get_int("max_queued_bytes"));
  o.queue_timeout = std::chrono::milliseconds(p.get_int("queue_timeout_ms"));
  o.end_to_end = p.get_string("ack") == "end_to_end";
  o.max_requests = std::uint64_t(p.get_int("max_requests"));
  return o;
}

class HttpServer : public Source {
 public:
  explicit HttpServer(Context& c)
      : ctx_(c), routes_options_(route_options(c)), parser_(c.batch_size(), std::size_t(c.params().get_int("max_body_bytes"))),
        queue_(queue_options(c)), routes_(routes_options_, parser_, queue_) {
    const Params& p = c.params();
    address_.host = p.get_string("host");
    address_.port = int(p.get_int("port"));
    limits_.request_deadline = std::chrono::milliseconds(p.get_int("read_timeout_ms"));
    limits_.max_connections = std::size_t(p.get_int("max_connections"));
    limits_.max_requests_per_connection = std::size_t(p.get_int("max_requests_per_connection"));
    limits_.max_body_bytes = std::size_t(p.get_int("max_body_bytes"));
    const std::string cert = p.get_string("cert_file"), key = p.get_string("key_file");
    if (cert.empty() != key.empty())
      c.param_error(cert.empty() ? "cert_file" : "key_file", "TLS needs both cert_file and key_file");
    if (!cert.empty()) {
      try {
        tls_ = net::TlsContext::load(cert, key);
      } catch (const std::exception& e) {
        c.param_error("cert_file", e.what());
      }
    }
  }

  ~HttpServer() override { shut_down(); }

  void open() override {
    const net::Listener listener = net::open_listener(address_);
    loop_ = std::make_unique<net::ConnectionLoop>(
        listener.fd, limits_, [this](net::ConnectionLoop::Request& r) { return routes_.answer(r); },
        [this](std::string_view head) { return routes_.check_head(head); }, tls_);
    const bool ipv6 = address_.host.find(':') != std::string::npos;
    ctx_.log(LogLevel::info, std::string("listening on ") + (tls_ ? "https" : "http") + "://" +
                                 (ipv6 ? "[" + address_.host + "]" : address_.host) + ":" +
                                 std::to_string(listener.port) + routes_options_.path);
    timer_ = std::thread([this] { expire_waiting(); });
  }

  bool read(BatchBuilder& out) override {
    IngestQueue::Answers answers;
    const bool more = queue_.take(out, 100ms, answers);
    send(answers);
    return more;
  }

  void acknowledge(std::uint64_t batch) override {
    IngestQueue::Answers answers;
    queue_.acknowledge(batch, answers);
    send(answers);
  }

  // Stops accepting; what waits or is queued is refused now; what is in the graph is answered
  // as its acknowledgements come, while the engine drains.
  void stop() override {
    IngestQueue::Answers answers;
    queue_.stop(answers);
    send(answers);
    if (loop_) loop_->drain(std::chrono::hours(24 * 365), false);
  }

  void close() override { shut_down(); }

 private:
  void send(const IngestQueue::Answers& answers) {
    if (!loop_) return;
    for (const auto& a : answers) loop_->complete(a.connection, routes_.reply(a));
  }

  // Refuses (503) a request that waited longer than queue_timeout_ms for room.
  void expire_waiting() {
    std::unique_lock lock(timer_mutex_);
    while (!timer_stop_) {
      IngestQueue::Answers answers;
      const auto next = queue_.expire(IngestQueue::Clock::now(), answers);
      send(answers);
      timer_wake_.wait_until(lock, std::min(next, IngestQueue::Clock::now() + 20ms));
    }
  }

  void shut_down() {
    if (!loop_ || closed_) return;
    closed_ = true;
    {
      std::lock_guard lock(timer_mutex_);
      timer_stop_ = true;
    }
    timer_wake_.notify_all();
    if (timer_.joinable()) timer_.join();
    IngestQueue::Answers answers;
    queue_.close(answers);
    if (!answers.empty())
      ctx_.log(LogLevel::warn, std::to_string(answers.size()) +
                                   " request(s) answered 503: their records were not all acknowledged before the end");
    send(answers);
    loop_->drain(final_answers_bound);  // the last answers are sent, then the listener is gone
  }

  Context& ctx_;
  const RouteOptions routes_options_;
  BodyParser parser_;  // used on the loop's thread only
  IngestQueue queue_;
  IngestRoutes routes_;
  net::ListenAddress address_;
  net::ConnectionLimits limits_;
  std::shared_ptr<net::TlsContext> tls_;
  std::thread timer_;
  std::mutex timer_mutex_;
  std::condition_variable timer_wake_;
  bool timer_stop_ = false, closed_ = false;
  std::unique_ptr<net::ConnectionLoop> loop_;  // last: stopped first, before what it uses
};

}  // namespace

PluginDescriptor describe_http_server() {
  return PluginDescriptor::source<HttpServer>(
             "http_server", "records POSTed over HTTP (webhooks): NDJSON, a JSON array or one object per request")
      .with_params({
          ParamSpec::string("host", "address to listen on; the default is loopback only (\"0.0.0.0\": every interface)")
              .with_default(std::string("127.0.0.1")),
          ParamSpec::integer("port", "TCP port; 0 = any free port (the log line 'listening on URL' says which)")
              .with_default(std::int64_t{8080}).at_least(0).at_most(65535),
          ParamSpec::string("path", "where records are POSTed (or PUT); other paths get 404, other methods 405")
              .with_default(std::string("/ingest")),
          ParamSpec::string("health_path", "GET here answers 200 {\"status\":\"ok\"} while the source runs (no token needed); \"\" = none")
              .with_default(std::string("/health")),
          ParamSpec::string("format", "body format: auto (by Content-Type: application/json = one object or an array of objects, application/x-ndjson or none = one object per line; others 415), ndjson or json (Content-Type ignored)")
              .with_default(std::string("auto")).one_of({"auto", "ndjson", "json"}),
          ParamSpec::string("ack", "end_to_end: answer 200 once the sinks acknowledged every record of the request; on_receive: answer 202 once all of them entered the graph")
              .with_default(std::string("end_to_end")).one_of({"end_to_end", "on_receive"}),
          ParamSpec::integer("max_body_bytes", "largest request body; larger ones get 413 before the body is read")
              .with_default(std::int64_t{4} << 20).at_least(1).at_most(std::int64_t{1} << 30),
          ParamSpec::integer("max_queued_bytes", "bodies parsed and waiting for read(); past it requests wait for room (queue_timeout_ms)")
              .with_default(std::int64_t{16} << 20).at_least(1).at_most(std::int64_t{16} << 30),
          ParamSpec::integer("queue_timeout_ms", "how long a request waits for room when the source is backed up; then 503 with Retry-After")
              .with_default(std::int64_t{1000}).at_least(0).at_most(600000),
          ParamSpec::integer("read_timeout_ms", "from connect (or the previous answer) until a request has arrived whole; a slower client is cut off")
              .with_default(std::int64_t{10000}).at_least(10).at_most(600000),
          ParamSpec::integer("max_connections", "open connections at most; past it the oldest idle one is closed (503 when all wait for answers)")
              .with_default(std::int64_t{256}).at_least(1).at_most(65536),
          ParamSpec::integer("max_requests_per_connection", "keep-alive: requests served on one connection before it is closed")
              .with_default(std::int64_t{100}).at_least(1),
          ParamSpec::string("token_env", "environment variable holding a bearer token: requests without \"Authorization: Bearer TOKEN\" get 401; \"\" = no authentication")
              .with_default(std::string("")),
          ParamSpec::string("cert_file", "TLS: certificate chain (PEM); with key_file, the server speaks HTTPS only")
              .with_default(std::string("")),
          ParamSpec::string("key_file", "TLS: private key (PEM) of cert_file").with_default(std::string("")),
          ParamSpec::integer("max_requests", "end the stream after this many requests were taken (tests, one-shot jobs); 0 = never")
              .with_default(std::int64_t{0}).at_least(0),
      });
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_SOURCE_PLUGIN(http_server, graph_runner::plugins::describe_http_server)
