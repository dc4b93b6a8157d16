#include "listen_address.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace graph_runner::net {

std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string& error) {
  ListenAddress address;
  std::string_view port = text;
  if (!text.empty() && text.front() == '[') {  // [::1]:9100
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      error = "expected [IPV6]:PORT, got '" + std::string(text) + "'";
      return std::nullopt;
    }
    address.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
    if (colon > 0) address.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  int value = -1;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value < 0 || value > 65535) {
    error = "expected HOST:PORT, :PORT or PORT with a port from 0 to 65535, got '" + std::string(text) + "'";
    return std::nullopt;
  }
  if (address.host.empty()) {
    error = "no host in '" + std::string(text) + "'";
    return std::nullopt;
  }
  address.port = value;
  return address;
}

Listener open_listener(const ListenAddress& address) {
  const auto fail = [&](const std::string& reason) {
    return std::runtime_error("cannot listen on " + address.host + ":" + std::to_string(address.port) + ": " + reason);
  };
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(address.port);
  if (const int rc = ::getaddrinfo(address.host.c_str(), port.c_str(), &hints, &found); rc != 0)
    throw fail(::gai_strerror(rc));
  int error = 0;
  Listener listener;
  for (addrinfo* a = found; a != nullptr && listener.fd < 0; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      error = errno;
      continue;
    }
    const int yes = 1;  // a restarted run can take its port back while old connections linger
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    // a backlog for bursts of connects; the server itself caps what it holds open
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, 128) != 0) {
      error = errno;
      ::close(fd);
      continue;
    }
    listener.fd = fd;
  }
  ::freeaddrinfo(found);
  if (listener.fd < 0) throw fail(error != 0 ? std::strerror(error) : "no address");
  sockaddr_storage bound{};
  socklen_t size = sizeof bound;
  ::getsockname(listener.fd, reinterpret_cast<sockaddr*>(&bound), &size);
  listener.port = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                              : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return listener;
}

}  // namespace graph_runner::net
