// The metrics server's connection loop (issue 20): a request deadline, a connection cap that
// drops the oldest, bounded keep-alive, shutdown that never waits on a client. HTTP is
// replaced by a responder that answers "ok N" to every head.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>
#include <stdexcept>
#include <string>

#include "connection_loop.hpp"
#include "listen_address.hpp"

using namespace graph_runner::net;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

struct TestServer {
  int port = 0;
  int answered = 0;
  std::unique_ptr<ConnectionLoop> loop;

  explicit TestServer(ConnectionLimits limits) {
    const Listener listener = open_listener({"127.0.0.1", 0});
    port = listener.port;
    loop = std::make_unique<ConnectionLoop>(listener.fd, limits, [this](ConnectionLoop::Request& r) {
      r.input.erase(0, r.input.find("\r\n\r\n") + 4);
      return ConnectionLoop::Reply{"ok " + std::to_string(++answered) + (r.last ? " last\n" : "\n"), false};
    });
  }
};

struct Client {
  int fd = -1;
  explicit Client(int port) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(std::uint16_t(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("connect failed");
  }
  ~Client() { ::close(fd); }
  void send(const std::string& text) const { ::send(fd, text.data(), text.size(), MSG_NOSIGNAL); }
  // What arrives within `wait` ("" when nothing); `closed` is set at EOF or reset.
  std::string receive(std::chrono::milliseconds wait, bool* closed = nullptr) const {
    std::string got;
    const auto until = Clock::now() + wait;
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
      if (left <= 0 || ::poll(&p, 1, int(left)) <= 0) return got;
      char buffer[4096];
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) {
        if (closed) *closed = true;
        return got;
      }
      got.append(buffer, std::size_t(n));
      if (got.back() == '\n') return got;
    }
  }
  // Seconds until the server closes this connection (a large number if it does not in `wait`).
  double seconds_until_closed(std::chrono::milliseconds wait) const {
    const auto begin = Clock::now();
    bool closed = false;
    while (!closed && Clock::now() - begin < wait) receive(wait, &closed);
    return closed ? std::chrono::duration<double>(Clock::now() - begin).count() : 1e9;
  }
};

const std::string request = "GET / HTTP/1.1\r\n\r\n";

}  // namespace

TEST_CASE("requests on one connection are answered, keep-alive is bounded", "[metrics_server]") {
  TestServer server({.max_requests_per_connection = 2});
  Client c(server.port);
  c.send(request);
  CHECK(c.receive(2s) == "ok 1\n");
  c.send(request);
  bool closed = false;
  CHECK(c.receive(2s, &closed) == "ok 2 last\n");
  if (!closed) c.receive(2s, &closed);
  CHECK(closed);
}

TEST_CASE("a slow client is dropped at the request deadline, others are answered meanwhile", "[metrics_server]") {
  TestServer server({.request_deadline = 300ms});
  Client slow(server.port);
  slow.send("GET / HT");
  Client quick(server.port);
  const auto begin = Clock::now();
  quick.send(request);
  CHECK(quick.receive(2s) == "ok 1\n");
  CHECK(Clock::now() - begin < 250ms);
  const double dropped = slow.seconds_until_closed(3s);
  CHECK(dropped > 0.1);  // about 0.3 s after its connect, less the time already past
  CHECK(dropped < 1.0);
}

TEST_CASE("past the connection cap the oldest connection is dropped, the new one served", "[metrics_server]") {
  TestServer server({.request_deadline = 10s, .max_connections = 3});
  Client first(server.port), second(server.port), third(server.port);
  Client fourth(server.port);  // accepted in order: the first has the earliest deadline
  CHECK(first.seconds_until_closed(2s) < 1.0);
  fourth.send(request);
  CHECK(fourth.receive(2s) == "ok 1\n");
}

TEST_CASE("a request head past the limit is refused with 431", "[metrics_server]") {
  TestServer server({.max_head_bytes = 100});
  Client c(server.port);
  // far more than the loop reads before it answers: the rest must not reset the answer away
  c.send("GET / HTTP/1.1\r\nX: " + std::string(40000, 'a') + "\r\n\r\n");
  bool closed = false;
  const std::string reply = c.receive(2s, &closed);
  CHECK_THAT(reply, Catch::StartsWith("HTTP/1.1 431 "));
  CHECK(server.answered == 0);
}

TEST_CASE("stopping the server drops open connections at once and refuses new ones", "[metrics_server]") {
  auto server = std::make_unique<TestServer>(ConnectionLimits{.request_deadline = 60s});
  const int port = server->port;
  Client idle(port), partial(port), kept(port);
  partial.send("GET /metr");
  kept.send(request);
  CHECK(kept.receive(2s) == "ok 1\n");  // now idle in keep-alive
  const auto begin = Clock::now();
  server.reset();
  CHECK(Clock::now() - begin < 500ms);
  for (const Client* c : {&idle, &partial, &kept}) CHECK(c->seconds_until_closed(1s) < 0.5);
  CHECK_THROWS(Client(port));
}

TEST_CASE("the listener picks a free port for 0 and names the address it cannot bind", "[metrics_server]") {
  const Listener first = open_listener({"127.0.0.1", 0});
  CHECK(first.port > 0);
  try {
    open_listener({"127.0.0.1", first.port});
    FAIL("a second listener on port " << first.port << " was opened");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("cannot listen on 127.0.0.1:" + std::to_string(first.port) + ": ") &&
                             Catch::Contains("in use"));
  }
  ::close(first.fd);
}

// Bodies and answers given later (the http_server source): a responder that leaves every
// request pending, answered by the test from its own thread.
namespace {
struct LaterServer {
  int port = 0;
  std::mutex mutex;
  std::vector<std::pair<std::uint64_t, std::string>> requests;  // id, body
  std::unique_ptr<ConnectionLoop> loop;

  explicit LaterServer(ConnectionLimits limits) {
    const Listener listener = open_listener({"127.0.0.1", 0});
    port = listener.fd >= 0 ? listener.port : 0;
    loop = std::make_unique<ConnectionLoop>(listener.fd, limits, [this](ConnectionLoop::Request& r) {
      const auto end = r.input.find("\r\n\r\n") + 4;
      const auto length = r.input.find("Content-Length: ");
      const std::size_t n = length == std::string::npos ? 0 : std::stoul(r.input.substr(length + 16));
      std::lock_guard lock(mutex);
      requests.emplace_back(r.id, r.input.substr(end, n));
      r.input.erase(0, end + n);
      return ConnectionLoop::Reply{{}, false, true};
    });
  }
  std::vector<std::pair<std::uint64_t, std::string>> seen() {
    std::lock_guard lock(mutex);
    return requests;
  }
};

std::string post(const std::string& body) {
  return "POST / HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}
}  // namespace

TEST_CASE("a body is awaited whole, and the answer comes later from another thread, past the deadline", "[connection_loop]") {
  LaterServer server({.request_deadline = 300ms, .max_body_bytes = 100});
  Client c(server.port);
  const std::string whole = post("0123456789");
  c.send(whole.substr(0, whole.size() - 4));
  std::this_thread::sleep_for(100ms);
  CHECK(server.seen().empty());  // the body is not complete yet
  c.send(whole.substr(whole.size() - 4));
  std::this_thread::sleep_for(500ms);  // longer than the request deadline: pending is not timed
  const auto seen = server.seen();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].second == "0123456789");
  std::thread([&] { server.loop->complete(seen[0].first, {"done\n", false, false}); }).join();
  CHECK(c.receive(2s) == "done\n");
}

TEST_CASE("a body over the limit is refused with 413 before it is read, and Transfer-Encoding with 411", "[connection_loop]") {
  LaterServer server({.max_body_bytes = 10});
  Client big(server.port);
  big.send("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n");
  CHECK_THAT(big.receive(2s), Catch::StartsWith("HTTP/1.1 413 "));
  Client chunked(server.port);
  chunked.send("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
  CHECK_THAT(chunked.receive(2s), Catch::StartsWith("HTTP/1.1 411 "));
  Client smuggler(server.port);
  smuggler.send("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab");
  CHECK_THAT(smuggler.receive(2s), Catch::StartsWith("HTTP/1.1 400 "));
  CHECK(server.seen().empty());
}

TEST_CASE("draining refuses new connections and drops idle ones, but sends the pending answers", "[connection_loop]") {
  LaterServer server({.request_deadline = 10s, .max_body_bytes = 100});
  Client waiting(server.port), idle(server.port);
  waiting.send(post("x"));
  while (server.seen().empty()) std::this_thread::sleep_for(10ms);
  std::thread drainer([&] { server.loop->drain(5s); });
  CHECK(idle.seconds_until_closed(1s) < 0.5);
  CHECK_THROWS(Client(server.port));
  server.loop->complete(server.seen()[0].first, {"late\n", false, false});
  bool closed = false;
  CHECK(waiting.receive(2s, &closed) == "late\n");
  drainer.join();  // returns once the last answer is sent
}

TEST_CASE("a pending answer whose client left is dropped without harm", "[connection_loop]") {
  LaterServer server({.max_body_bytes = 100});
  std::uint64_t id = 0;
  {
    Client gone(server.port);
    gone.send(post("y"));
    while (server.seen().empty()) std::this_thread::sleep_for(10ms);
    id = server.seen()[0].first;
  }
  std::this_thread::sleep_for(100ms);
  server.loop->complete(id, {"nobody\n", false, false});
  server.loop->complete(id + 1000, {"unknown\n", false, false});
  Client next(server.port);
  next.send(post("z"));
  while (server.seen().size() < 2) std::this_thread::sleep_for(10ms);
  server.loop->complete(server.seen()[1].first, {"ok\n", false, false});
  CHECK(next.receive(2s) == "ok\n");
}
