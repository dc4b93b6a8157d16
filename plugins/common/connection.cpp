#include "connection.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "tls_context.hpp"

namespace graph_runner::net {

void drop(Connection& c) {
  if (c.fd < 0) return;
  if (c.ssl) tls::close(std::exchange(c.ssl, nullptr));
  ::shutdown(c.fd, SHUT_RDWR);
  ::close(c.fd);
  c.fd = -1;
}

ssize_t receive_some(Connection& c, char* data, std::size_t size) {
  if (c.ssl) return tls::read(c.ssl, data, size, c.tls_wants);
  for (;;) {
    const ssize_t n = ::recv(c.fd, data, size, 0);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? -1 : -2;
  }
}

ssize_t send_bytes(Connection& c, const char* data, std::size_t size) {
  if (c.ssl) return tls::write(c.ssl, data, size, c.tls_wants);
  for (;;) {
    const ssize_t n = ::send(c.fd, data, size, MSG_NOSIGNAL);
    if (n > 0) return n;
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? -1 : -2;
  }
}

void close_after_answer(Connection& c) {
  char buffer[4096];
  for (int i = 0; i < 16 && receive_some(c, buffer, sizeof buffer) > 0; ++i) {
  }
  drop(c);
}

}  // namespace graph_runner::net
