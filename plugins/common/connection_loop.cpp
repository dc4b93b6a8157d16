#include "connection_loop.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <utility>

#include "connection.hpp"
#include "http_head.hpp"
#include "tls_context.hpp"

namespace graph_runner::net {

using Clock = std::chrono::steady_clock;

namespace {

// Accepted at most per wake-up, so a flood of connects cannot starve the open connections.
constexpr int accepts_per_round = 64;
// Out of descriptors (EMFILE): the pending connection stays queued and poll would report
// it at once, for ever; wait this long before accepting again.
constexpr auto accept_backoff = std::chrono::milliseconds(100);

ConnectionLoop::Reply refusal(int status) {
  return {http_response(status, {}, {}, {}, true), true, false};
}

}  // namespace

class Loop {
 public:
  explicit Loop(ConnectionLoop& owner) : owner_(owner), limits_(owner.limits_) {}

  void run() {
    std::vector<pollfd> fds;
    int listener = owner_.listener_;
    Clock::time_point drain_until = Clock::time_point::max();
    for (;;) {
      std::vector<std::pair<std::uint64_t, ConnectionLoop::Reply>> completed;
      {
        std::lock_guard lock(owner_.mutex_);
        if (owner_.stopping_) break;
        completed.swap(owner_.completed_);
        if (owner_.draining_) {
          if (listener >= 0) ::close(std::exchange(listener, -1));  // connects are refused from here
          drain_until = owner_.drain_until_;
        }
      }
      for (auto& [id, reply] : completed) answer_later(id, std::move(reply));
      if (listener < 0) {  // draining: nobody waits for a new request
        for (auto& c : connections_)
          if (c.state == Connection::State::reading) drop(c);
      }
      std::erase_if(connections_, [](const Connection& c) { return c.fd < 0; });
      const auto now = Clock::now();
      if (listener < 0 && (connections_.empty() || now >= drain_until)) break;

      fds.clear();
      fds.push_back({owner_.wake_[0], POLLIN, 0});
      const bool accepting = listener >= 0 && now >= accept_paused_until_;
      fds.push_back({accepting ? listener : -1, POLLIN, 0});
      for (const auto& c : connections_) fds.push_back({c.fd, events(c), 0});
      if (::poll(fds.data(), fds.size(), timeout_ms(now, listener >= 0 && !accepting, drain_until)) < 0 && errno != EINTR) break;
      if (fds[0].revents != 0) {
        char buffer[64];
        while (::read(owner_.wake_[0], buffer, sizeof buffer) > 0) {
        }
      }
      for (std::size_t i = 0; i < connections_.size(); ++i) {
        auto& c = connections_[i];
        if (fds[i + 2].revents == 0 || c.fd < 0) continue;
        if (c.state == Connection::State::pending) {
          if (fds[i + 2].revents & (POLLERR | POLLHUP)) drop(c);  // the client left; its answer is dropped
        } else if (c.state == Connection::State::writing) {
          send_some(c);
        } else {
          receive(c);
        }
      }
      const auto after = Clock::now();
      for (auto& c : connections_)
        if (c.state != Connection::State::pending && after >= c.deadline) drop(c);
      std::erase_if(connections_, [](const Connection& c) { return c.fd < 0; });
      if (fds[1].revents != 0) accept_new(listener, after);
    }
    for (auto& c : connections_) drop(c);
    if (listener >= 0) ::close(listener);
  }

 private:
  static short events(const Connection& c) {
    if (c.state == Connection::State::pending) return 0;  // only a hang-up or an error is reported
    if (c.tls_wants != 0) return c.tls_wants;
    return c.state == Connection::State::reading ? POLLIN : POLLOUT;
  }

  int timeout_ms(Clock::time_point now, bool accept_paused, Clock::time_point drain_until) const {
    auto next = accept_paused ? std::min(drain_until, accept_paused_until_) : drain_until;
    for (const auto& c : connections_)
      if (c.state != Connection::State::pending) next = std::min(next, c.deadline);
    if (next == Clock::time_point::max()) return -1;
    if (next <= now) return 0;
    // rounded up: waking a little early would spin until the deadline
    return int(std::chrono::ceil<std::chrono::milliseconds>(next - now).count());
  }

  void accept_new(int listener, Clock::time_point now) {
    for (int n = 0; n < accepts_per_round; ++n) {
      const int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) accept_paused_until_ = now + accept_backoff;
        return;
      }
      if (connections_.size() >= limits_.max_connections && !make_room(fd)) continue;
      Connection c;
      c.fd = fd;
      c.id = ++last_id_;
      c.deadline = now + limits_.request_deadline;
      if (owner_.tls_ && (c.ssl = owner_.tls_->accept(fd)) == nullptr) {
        ::close(fd);
        continue;
      }
      connections_.push_back(std::move(c));
    }
  }

  // Drops the connection nearest its deadline: it has had the most time. Refusing the new
  // one instead would let a few idle connections lock every client out. A connection whose
  // answer is pending is not dropped: when all are, the new one is refused with a 503.
  bool make_room(int fd) {
    auto oldest = connections_.end();
    for (auto it = connections_.begin(); it != connections_.end(); ++it)
      if (it->state != Connection::State::pending && (oldest == connections_.end() || it->deadline < oldest->deadline))
        oldest = it;
    if (oldest != connections_.end()) {
      drop(*oldest);
      connections_.erase(oldest);
      return true;
    }
    if (!owner_.tls_) {
      const std::string busy = http_response(503, {}, {}, "Retry-After: 1\r\n", true);
      (void)::send(fd, busy.data(), busy.size(), MSG_NOSIGNAL);
    }
    ::close(fd);
    return false;
  }

  void receive(Connection& c) {
    c.tls_wants = 0;
    char buffer[16384];
    const std::size_t limit = limits_.max_head_bytes + limits_.max_body_bytes;
    while (c.input.size() <= limit) {
      const ssize_t n = receive_some(c, buffer, sizeof buffer);
      if (n > 0) {
        c.input.append(buffer, std::size_t(n));
        continue;
      }
      if (n == 0) c.peer_closed = true;
      else if (n == -2) return drop(c);
      break;
    }
    answer_if_complete(c);
  }

  void answer_if_complete(Connection& c) {
    const auto end = c.input.find("\r\n\r\n");
    if (end == std::string::npos || end + 4 > limits_.max_head_bytes) {
      if (c.input.size() > limits_.max_head_bytes) start_send(c, refusal(431));
      else if (c.peer_closed) drop(c);
      return;
    }
    if (limits_.max_body_bytes > 0 && !body_complete(c)) return;
    const bool last = c.peer_closed || c.requests + 1 >= limits_.max_requests_per_connection;
    ConnectionLoop::Request request{c.fd, c.id, c.input, last};
    ConnectionLoop::Reply reply;
    try {
      reply = owner_.responder_(request);
    } catch (...) {
      return drop(c);
    }
    c.head_checked = c.continue_sent = false;
    // A connection waiting for its answer should not keep the buffer of a large body.
    if (c.input.capacity() > (64u << 10) && c.input.size() < (64u << 10)) c.input.shrink_to_fit();
    reply.close = reply.close || last;
    if (reply.pending) {
      c.state = Connection::State::pending;
      c.close_after_send = reply.close;
      return;
    }
    start_send(c, std::move(reply));
  }

  // With bodies: whether the head's Content-Length body has arrived. Answers (and returns
  // false) what cannot be served: a bad head, a refused one (HeadCheck), a body too large.
  bool body_complete(Connection& c) {
    std::string error;
    const auto head = parse_http_head(c.input, error);
    if (!head) {
      start_send(c, {http_response(400, "{\"error\":\"" + error + "\"}\n", "application/json", {}, true), true, false});
      return false;
    }
    if (!c.head_checked) {
      c.head_checked = true;
      if (owner_.head_check_) {
        if (auto refused = owner_.head_check_(std::string_view(c.input).substr(0, head->head_bytes))) {
          refused->close = true;
          start_send(c, std::move(*refused));
          return false;
        }
      }
    }
    if (head->chunked) start_send(c, refusal(411));
    else if (head->content_length > limits_.max_body_bytes) start_send(c, refusal(413));
    else if (c.input.size() >= head->head_bytes + head->content_length) return true;
    else if (c.peer_closed) drop(c);
    else if (head->expect_continue && !c.continue_sent) {
      c.continue_sent = true;  // best effort: a client that gets no 100 sends the body anyway
      static const std::string go_on = "HTTP/1.1 100 Continue\r\n\r\n";
      (void)send_bytes(c, go_on.data(), go_on.size());
    }
    return false;
  }

  void answer_later(std::uint64_t id, ConnectionLoop::Reply reply) {
    for (auto& c : connections_) {
      if (c.id != id || c.fd < 0 || c.state != Connection::State::pending) continue;
      reply.close = reply.close || c.close_after_send;
      c.deadline = Clock::now() + limits_.request_deadline;  // to send it
      start_send(c, std::move(reply));
      return;
    }
  }

  void start_send(Connection& c, ConnectionLoop::Reply reply) {
    c.output = std::move(reply.output);
    c.close_after_send = reply.close;
    c.state = Connection::State::writing;
    c.sent = 0;
    send_some(c);  // most answers fit the socket's buffer: sent at once
  }

  void send_some(Connection& c) {
    c.tls_wants = 0;
    while (c.sent < c.output.size()) {
      const ssize_t n = send_bytes(c, c.output.data() + c.sent, c.output.size() - c.sent);
      if (n > 0) c.sent += std::size_t(n);
      else if (n == -1) return;  // poll says when
      else return drop(c);
    }
    if (c.close_after_send) return close_after_answer(c);
    // keep-alive: the next request has a deadline of its own, counted from now
    ++c.requests;
    c.state = Connection::State::reading;
    c.output.clear();
    c.deadline = Clock::now() + limits_.request_deadline;
    answer_if_complete(c);  // pipelined
  }

  ConnectionLoop& owner_;
  const ConnectionLimits& limits_;
  std::vector<Connection> connections_;  // at most max_connections: linear scans are cheap
  Clock::time_point accept_paused_until_{};
  std::uint64_t last_id_ = 0;
};

ConnectionLoop::ConnectionLoop(int listener, ConnectionLimits limits, Responder responder, HeadCheck head_check,
                               std::shared_ptr<TlsContext> tls)
    : listener_(listener), limits_(limits), responder_(std::move(responder)), head_check_(std::move(head_check)),
      tls_(std::move(tls)) {
  if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
    ::close(listener_);
    throw std::runtime_error("cannot create the server's wake-up pipe");
  }
  ::fcntl(listener_, F_SETFL, ::fcntl(listener_, F_GETFL) | O_NONBLOCK);
  thread_ = std::thread([this] { run(); });
}

ConnectionLoop::~ConnectionLoop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake();
  if (thread_.joinable()) thread_.join();
  ::close(wake_[0]);
  ::close(wake_[1]);
}

void ConnectionLoop::wake() {
  const char byte = 1;
  while (::write(wake_[1], &byte, 1) < 0 && errno == EINTR) {
  }
}

void ConnectionLoop::complete(std::uint64_t id, Reply reply) {
  {
    std::lock_guard lock(mutex_);
    if (done_) return;
    completed_.emplace_back(id, std::move(reply));
  }
  wake();
}

void ConnectionLoop::drain(std::chrono::milliseconds bound, bool wait) {
  {
    std::lock_guard lock(mutex_);
    draining_ = true;
    drain_until_ = bound >= std::chrono::hours(24 * 365) ? Clock::time_point::max() : Clock::now() + bound;
  }
  wake();
  if (wait && thread_.joinable()) thread_.join();
}

void ConnectionLoop::run() {
  Loop(*this).run();
  std::lock_guard lock(mutex_);
  done_ = true;
}

}  // namespace graph_runner::net
