#pragma once
// The connections of `run --metrics-listen`, served by one event loop (poll) so that no
// client can hold the server: every request has a deadline from accept (or from the previous
// response) to its response sent, the open connections are capped, keep-alive is bounded,
// and destroying the loop drops every connection at once. HTTP itself is the Responder's.
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <thread>

namespace graph_runner::cli {

struct ConnectionLimits {
  // From accept (or the previous response sent) to this response sent; past it the
  // connection is dropped, whatever it is doing (a slow-loris client, a reader that stalls).
  std::chrono::milliseconds request_deadline{2000};
  // Open connections; a new one past the cap drops the one nearest its deadline (an idle
  // client), so that idle connections cannot lock scrapers out.
  std::size_t max_connections = 32;
  std::size_t max_requests_per_connection = 5;  // keep-alive
  std::size_t max_head_bytes = 16 * 1024;       // request line and headers; more: 431
};

class ConnectionLoop {
 public:
  struct Reply {
    std::string output;  // the whole response
    bool close = false;  // close the connection once it is sent
  };
  // Called on the loop's thread with a complete request head at the start of `input`; it
  // consumes what it read from `input` and answers. `last`: the connection closes after
  // this answer (announce it).
  using Responder = std::function<Reply(int socket, std::string& input, bool last)>;

  // Takes ownership of `listener` (a bound, listening socket) and serves from a thread.
  ConnectionLoop(int listener, ConnectionLimits limits, Responder responder);
  ~ConnectionLoop();  // closes the listener, shuts every connection down, joins: never waits on a client
  ConnectionLoop(const ConnectionLoop&) = delete;
  ConnectionLoop& operator=(const ConnectionLoop&) = delete;

 private:
  void run();

  int listener_;
  int wake_[2] = {-1, -1};  // a pipe: the destructor writes, poll wakes
  ConnectionLimits limits_;
  Responder responder_;
  std::thread thread_;
};

}  // namespace graph_runner::cli
