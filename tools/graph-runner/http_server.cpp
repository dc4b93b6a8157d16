#include "http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <httplib.h>

namespace graph_runner::cli {

// httplib's routes and its request parser (limits on the request line and header lines:
// 414 / 400), used without its server loop: that one serves a connection per thread with a
// timeout per read, which a slow client can hold for ever.
class HttpRoutes : public httplib::Server {
 public:
  using httplib::Server::process_request;
};

namespace {

// One request read from the bytes the loop buffered, its answer written to memory; the
// loop sends it without blocking.
class MemoryStream : public httplib::Stream {
 public:
  MemoryStream(int socket, const std::string& input) : socket_(socket), input_(input) {}

  bool is_readable() const override { return consumed_ < input_.size(); }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    const size_t n = std::min(size, input_.size() - consumed_);
    input_.copy(ptr, n, consumed_);
    consumed_ += n;
    return ssize_t(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    output.append(ptr, size);
    return ssize_t(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override { describe(::getpeername, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { describe(::getsockname, ip, port); }
  socket_t socket() const override { return socket_; }

  size_t consumed() const { return consumed_; }
  std::string output;

 private:
  void describe(int (*name)(int, sockaddr*, socklen_t*), std::string& ip, int& port) const {
    sockaddr_storage address{};
    socklen_t size = sizeof address;
    ip.clear();
    port = 0;
    if (name(socket_, reinterpret_cast<sockaddr*>(&address), &size) != 0) return;
    char text[INET6_ADDRSTRLEN] = {};
    if (address.ss_family == AF_INET6) {
      const auto* a = reinterpret_cast<const sockaddr_in6*>(&address);
      ::inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
      port = ntohs(a->sin6_port);
    } else if (address.ss_family == AF_INET) {
      const auto* a = reinterpret_cast<const sockaddr_in*>(&address);
      ::inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
      port = ntohs(a->sin_port);
    }
    ip = text;
  }

  int socket_;
  const std::string& input_;
  size_t consumed_ = 0;
};

}  // namespace

HttpServer::HttpServer(const ListenAddress& address, const std::function<void(httplib::Server&)>& add_routes,
                       ConnectionLimits limits)
    : host_(address.host), routes_(std::make_unique<HttpRoutes>()) {
  add_routes(*routes_);
  const Listener listener = open_listener(address);
  port_ = listener.port;
  loop_ = std::make_unique<ConnectionLoop>(listener.fd, limits, [this](ConnectionLoop::Request& request) { return answer(request); });
}

HttpServer::~HttpServer() { loop_.reset(); }

ConnectionLoop::Reply HttpServer::answer(ConnectionLoop::Request& request) {
  MemoryStream stream(request.socket, request.input);
  bool client_closes = false;
  const bool answered = routes_->process_request(stream, request.last, client_closes, nullptr);
  // What follows the request (a pipelined one) stays for the next answer.
  request.input.erase(0, stream.consumed());
  return {std::move(stream.output), !answered || client_closes};
}

std::string HttpServer::url(const std::string& path) const {
  const bool ipv6 = host_.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_) + path;
}

bool is_loopback_host(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  in_addr v4{};
  return ::inet_pton(AF_INET, host.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

}  // namespace graph_runner::cli
