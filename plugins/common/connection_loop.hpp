#pragma once
// The connections of an HTTP server (`run --metrics-listen`, the http_server source), served
// by one event loop (poll) so that no client can hold the server: every request has a
// deadline from accept (or from the previous response) to its response sent, the open
// connections are capped, keep-alive is bounded, and destroying the loop drops every
// connection at once. HTTP itself is the Responder's; the loop only knows where a request
// ends (the head, and with ConnectionLimits::max_body_bytes its Content-Length body).
//
// An answer may come later, from another thread (the http_server source answers once the
// sinks have the records): the Responder returns Reply::pending, and complete() sends it.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace graph_runner::net {

class TlsContext;

struct ConnectionLimits {
  // From accept (or the previous response sent) to this response sent; past it the
  // connection is dropped, whatever it is doing (a slow-loris client, a reader that stalls).
  // Not counted while an answer is pending: then the server, not the client, holds it.
  std::chrono::milliseconds request_deadline{2000};
  // Open connections; a new one past the cap drops the one nearest its deadline (an idle
  // client), so that idle connections cannot lock scrapers out. When every connection waits
  // for a pending answer, the new one is answered 503 instead.
  std::size_t max_connections = 32;
  std::size_t max_requests_per_connection = 5;  // keep-alive
  std::size_t max_head_bytes = 16 * 1024;       // request line and headers; more: 431
  // 0: the Responder is called as soon as the head is complete (requests without bodies).
  // Otherwise the loop waits for the Content-Length body, at most this many bytes (more:
  // 413, before the body is read; Transfer-Encoding: 411; an unparsable head: 400).
  std::size_t max_body_bytes = 0;
};

class ConnectionLoop {
 public:
  struct Reply {
    std::string output;    // the whole response
    bool close = false;    // close the connection once it is sent
    bool pending = false;  // no answer yet: complete(id, ...) will give it
  };
  struct Request {
    int socket;
    std::uint64_t id;    // for complete()
    std::string& input;  // starts with a complete request; consume what was read
    bool last;           // the connection closes after this answer (announce it)
  };
  // Called on the loop's thread with a complete request at the start of `input`.
  using Responder = std::function<Reply(Request& request)>;
  // With max_body_bytes: called on the loop's thread once a head is complete, before its
  // body is read; an answer (sent, then the connection closes) refuses the request early
  // (401, 404: no need to read a body nobody will use).
  using HeadCheck = std::function<std::optional<Reply>(std::string_view head)>;

  // Takes ownership of `listener` (a bound, listening socket) and serves from a thread.
  // With `tls`, every connection speaks TLS.
  ConnectionLoop(int listener, ConnectionLimits limits, Responder responder, HeadCheck head_check = {},
                 std::shared_ptr<TlsContext> tls = nullptr);
  ~ConnectionLoop();  // closes the listener, shuts every connection down, joins: never waits on a client
  ConnectionLoop(const ConnectionLoop&) = delete;
  ConnectionLoop& operator=(const ConnectionLoop&) = delete;

  // From any thread: the answer to a request whose Reply was pending. Ignored when its
  // connection is gone (the client left, the loop stopped).
  void complete(std::uint64_t id, Reply reply);
  // From any thread: stop accepting (new connects are refused) and close the connections
  // that wait for a request; those with an answer pending or being sent stay until it is
  // sent, or until `bound` from now has passed (a later call sets a new bound). With `wait`,
  // returns once the loop has stopped (one thread at a time may wait).
  void drain(std::chrono::milliseconds bound, bool wait = true);

 private:
  friend class Loop;
  void run();
  void wake();

  int listener_;
  int wake_[2] = {-1, -1};  // a pipe: complete(), drain() and the destructor write, poll wakes
  ConnectionLimits limits_;
  Responder responder_;
  HeadCheck head_check_;
  std::shared_ptr<TlsContext> tls_;
  std::mutex mutex_;  // guards what other threads hand the loop:
  std::vector<std::pair<std::uint64_t, Reply>> completed_;
  bool draining_ = false, stopping_ = false, done_ = false;
  std::chrono::steady_clock::time_point drain_until_{};
  std::thread thread_;
};

}  // namespace graph_runner::net
