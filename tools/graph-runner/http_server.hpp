#pragma once
// A small HTTP server for what `run` serves while a graph runs (--metrics-listen, --ui):
// cpp-httplib's routes and request parser over the hardened ConnectionLoop (a deadline per
// request, a cap on connections, shutdown that never waits on a client). Answers are built
// in memory and sent without blocking, so a handler must be quick and must not wait.
#include <functional>
#include <memory>
#include <string>

#include "connection_loop.hpp"
#include "listen_address.hpp"

namespace httplib {
class Server;
}

namespace graph_runner::cli {

// The loop and addresses are shared with the http_server source (plugins/common, namespace net).
using net::ConnectionLimits;
using net::ConnectionLoop;
using net::ListenAddress;
using net::Listener;
using net::open_listener;
using net::parse_listen_address;

class HttpRoutes;

class HttpServer {
 public:
  // `add_routes` registers the handlers (Get(...)) before the first connection is accepted;
  // they run on the server's thread. Binds at once: throws std::runtime_error naming the
  // address when it cannot.
  HttpServer(const ListenAddress& address, const std::function<void(httplib::Server&)>& add_routes,
             ConnectionLimits limits = {});
  // Closes the listener and drops open connections: returns at once, whatever clients do.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port actually bound (the free one chosen for port 0).
  int port() const noexcept { return port_; }
  // http://HOST:PORT followed by `path` ("/metrics"); an IPv6 host in brackets.
  std::string url(const std::string& path) const;

 private:
  ConnectionLoop::Reply answer(ConnectionLoop::Request& request);

  std::string host_;
  int port_ = 0;
  std::unique_ptr<HttpRoutes> routes_;
  std::unique_ptr<ConnectionLoop> loop_;  // last: stopped first, before the routes it calls
};

// True for an address that only this machine can reach (127.0.0.0/8, ::1, "localhost").
bool is_loopback_host(const std::string& host);

}  // namespace graph_runner::cli
