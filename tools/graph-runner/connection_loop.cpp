#include "connection_loop.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <vector>

namespace graph_runner::cli {
namespace {

using Clock = std::chrono::steady_clock;

// Accepted at most per wake-up, so a flood of connects cannot starve the open connections.
constexpr int accepts_per_round = 64;
// Out of descriptors (EMFILE): the pending connection stays queued and poll would report
// it at once, for ever; wait this long before accepting again.
constexpr auto accept_backoff = std::chrono::milliseconds(100);

struct Connection {
  int fd = -1;
  Clock::time_point deadline;
  std::string input, output;
  std::size_t sent = 0;
  std::size_t requests = 0;  // answered on this connection
  bool writing = false;      // sending `output`; not reading meanwhile
  bool close_after_send = false;
  bool peer_closed = false;  // the client shut its side: answer what is complete, then close
};

void drop(Connection& c) {
  if (c.fd < 0) return;
  ::shutdown(c.fd, SHUT_RDWR);
  ::close(c.fd);
  c.fd = -1;
}

// After the last answer: read and discard what the client already sent (up to 64 KiB), so
// that close() sends FIN, not a reset that could destroy the answer in flight (a 431).
void close_after_answer(Connection& c) {
  char buffer[4096];
  for (int i = 0; i < 16 && ::recv(c.fd, buffer, sizeof buffer, 0) > 0; ++i) {
  }
  drop(c);
}

// The request line and headers, ended by a blank line, within `limit` bytes.
bool head_complete(const std::string& input, std::size_t limit) {
  const auto end = input.find("\r\n\r\n");
  return end != std::string::npos && end + 4 <= limit;
}

const std::string too_large =
    "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

class Loop {
 public:
  Loop(int listener, int wake, const ConnectionLimits& limits, const ConnectionLoop::Responder& responder)
      : listener_(listener), wake_(wake), limits_(limits), responder_(responder) {}

  void run() {
    std::vector<pollfd> fds;
    for (;;) {
      const auto now = Clock::now();
      fds.clear();
      fds.push_back({wake_, POLLIN, 0});
      const bool accepting = now >= accept_paused_until_;
      fds.push_back({accepting ? listener_ : -1, POLLIN, 0});
      for (const auto& c : connections_) fds.push_back({c.fd, short(c.writing ? POLLOUT : POLLIN), 0});
      if (::poll(fds.data(), fds.size(), timeout_ms(now, accepting)) < 0 && errno != EINTR) break;
      if (fds[0].revents != 0) break;  // the destructor: stop now

      for (std::size_t i = 0; i < connections_.size(); ++i)
        if (fds[i + 2].revents != 0) serve(connections_[i]);
      const auto after = Clock::now();
      for (auto& c : connections_)
        if (after >= c.deadline) drop(c);
      std::erase_if(connections_, [](const Connection& c) { return c.fd < 0; });
      if (fds[1].revents != 0) accept_new(after);
    }
    for (auto& c : connections_) drop(c);
  }

 private:
  int timeout_ms(Clock::time_point now, bool accepting) const {
    auto next = accepting ? Clock::time_point::max() : accept_paused_until_;
    for (const auto& c : connections_) next = std::min(next, c.deadline);
    if (next == Clock::time_point::max()) return -1;
    if (next <= now) return 0;
    // rounded up: waking a little early would spin until the deadline
    return int(std::chrono::ceil<std::chrono::milliseconds>(next - now).count());
  }

  void accept_new(Clock::time_point now) {
    for (int n = 0; n < accepts_per_round; ++n) {
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) accept_paused_until_ = now + accept_backoff;
        return;
      }
      if (connections_.size() >= limits_.max_connections && !connections_.empty()) {
        // Drop the connection nearest its deadline: it has had the most time. Refusing the
        // new one instead would let a few idle connections lock every scraper out.
        auto oldest = std::min_element(connections_.begin(), connections_.end(),
                                       [](const auto& a, const auto& b) { return a.deadline < b.deadline; });
        drop(*oldest);
        connections_.erase(oldest);
      }
      Connection c;
      c.fd = fd;
      c.deadline = now + limits_.request_deadline;
      connections_.push_back(std::move(c));
    }
  }

  void serve(Connection& c) {
    if (c.writing) send_some(c);
    else receive(c);
  }

  void receive(Connection& c) {
    char buffer[4096];
    while (c.input.size() <= limits_.max_head_bytes) {
      const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
      if (n > 0) {
        c.input.append(buffer, std::size_t(n));
        continue;
      }
      if (n == 0) c.peer_closed = true;
      else if (errno == EINTR) continue;
      else if (errno != EAGAIN && errno != EWOULDBLOCK) return drop(c);
      break;
    }
    answer_if_complete(c);
  }

  void answer_if_complete(Connection& c) {
    if (head_complete(c.input, limits_.max_head_bytes)) {
      const bool last = c.peer_closed || c.requests + 1 >= limits_.max_requests_per_connection;
      ConnectionLoop::Reply reply;
      try {
        reply = responder_(c.fd, c.input, last);
      } catch (...) {
        return drop(c);
      }
      c.output = std::move(reply.output);
      c.close_after_send = reply.close || last;
    } else if (c.input.size() > limits_.max_head_bytes) {
      c.output = too_large;
      c.close_after_send = true;
    } else {
      if (c.peer_closed) drop(c);
      return;
    }
    c.writing = true;
    c.sent = 0;
    send_some(c);  // most answers fit the socket's buffer: sent at once
  }

  void send_some(Connection& c) {
    while (c.sent < c.output.size()) {
      const ssize_t n = ::send(c.fd, c.output.data() + c.sent, c.output.size() - c.sent, MSG_NOSIGNAL);
      if (n > 0) c.sent += std::size_t(n);
      else if (n < 0 && errno == EINTR) continue;
      else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;  // poll says when
      else return drop(c);
    }
    if (c.close_after_send) return close_after_answer(c);
    // keep-alive: the next request has a deadline of its own, counted from now
    ++c.requests;
    c.writing = false;
    c.output.clear();
    c.deadline = Clock::now() + limits_.request_deadline;
    if (head_complete(c.input, limits_.max_head_bytes)) answer_if_complete(c);  // pipelined
  }

  int listener_, wake_;
  const ConnectionLimits& limits_;
  const ConnectionLoop::Responder& responder_;
  std::vector<Connection> connections_;  // at most max_connections: linear scans are cheap
  Clock::time_point accept_paused_until_{};
};

}  // namespace

ConnectionLoop::ConnectionLoop(int listener, ConnectionLimits limits, Responder responder)
    : listener_(listener), limits_(limits), responder_(std::move(responder)) {
  if (::pipe2(wake_, O_CLOEXEC) != 0) {
    ::close(listener_);
    throw std::runtime_error("cannot create the metrics server's wake-up pipe");
  }
  ::fcntl(listener_, F_SETFL, ::fcntl(listener_, F_GETFL) | O_NONBLOCK);
  thread_ = std::thread([this] { run(); });
}

ConnectionLoop::~ConnectionLoop() {
  const char stop = 1;
  while (::write(wake_[1], &stop, 1) < 0 && errno == EINTR) {
  }
  thread_.join();
  ::close(wake_[0]);
  ::close(wake_[1]);
}

void ConnectionLoop::run() {
  Loop(listener_, wake_[0], limits_, responder_).run();
  // No new connection is queued for a server that has stopped: connects are refused from here.
  ::close(listener_);
}

}  // namespace graph_runner::cli
