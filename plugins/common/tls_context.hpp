#pragma once
// TLS for the connection loop (OpenSSL): a server context from a certificate chain and a key
// in PEM files, and non-blocking reads and writes on a session, in the shape of recv/send.
#include <cstddef>
#include <memory>
#include <string>
#include <sys/types.h>

struct ssl_st;
struct ssl_ctx_st;

namespace graph_runner::net {

class TlsContext {
 public:
  // Throws std::runtime_error naming the file and OpenSSL's reason (missing file, a key that
  // does not match the certificate, ...). TLS 1.2 at least.
  static std::shared_ptr<TlsContext> load(const std::string& cert_file, const std::string& key_file);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // A server session on a connected non-blocking socket; the handshake happens within the
  // first reads and writes. nullptr when OpenSSL is out of memory.
  ssl_st* accept(int fd) const;

 private:
  explicit TlsContext(ssl_ctx_st* ctx) : ctx_(ctx) {}
  ssl_ctx_st* ctx_;
};

namespace tls {
// As recv/send on a non-blocking socket: > 0 bytes moved, 0 the peer closed (read), -1 would
// block (`wants` says POLLIN or POLLOUT: TLS may need to write to read and the other way
// round), -2 a failure (drop the connection).
ssize_t read(ssl_st* ssl, char* data, std::size_t size, short& wants);
ssize_t write(ssl_st* ssl, const char* data, std::size_t size, short& wants);
// Sends close_notify if it can without waiting, and frees the session.
void close(ssl_st* ssl);
}  // namespace tls

}  // namespace graph_runner::net
