#include "tls_context.hpp"

#include <poll.h>

#include <climits>
#include <stdexcept>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace graph_runner::net {
namespace {

std::string openssl_reason() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(e, text, sizeof text);
  return text;
}

ssize_t outcome(ssl_st* ssl, int rc, short& wants) {
  switch (SSL_get_error(ssl, rc)) {
    case SSL_ERROR_WANT_READ: wants = POLLIN; return -1;
    case SSL_ERROR_WANT_WRITE: wants = POLLOUT; return -1;
    case SSL_ERROR_ZERO_RETURN: return 0;
    default: ERR_clear_error(); return -2;  // a failed handshake (a plain-HTTP client), a reset
  }
}

}  // namespace

std::shared_ptr<TlsContext> TlsContext::load(const std::string& cert_file, const std::string& key_file) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) throw std::runtime_error("cannot create a TLS context: " + openssl_reason());
  std::shared_ptr<TlsContext> result(new TlsContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1)
    throw std::runtime_error("cannot use the certificate " + cert_file + ": " + openssl_reason());
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    throw std::runtime_error("cannot use the key " + key_file + ": " + openssl_reason());
  if (SSL_CTX_check_private_key(ctx) != 1)
    throw std::runtime_error("the key " + key_file + " does not match the certificate " + cert_file);
  return result;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

ssl_st* TlsContext::accept(int fd) const {
  SSL* ssl = SSL_new(ctx_);
  if (ssl == nullptr) return nullptr;
  SSL_set_fd(ssl, fd);
  SSL_set_accept_state(ssl);
  return ssl;
}

namespace tls {

ssize_t read(ssl_st* ssl, char* data, std::size_t size, short& wants) {
  ERR_clear_error();
  const int rc = SSL_read(ssl, data, int(std::min<std::size_t>(size, INT_MAX)));
  return rc > 0 ? rc : outcome(ssl, rc, wants);
}

ssize_t write(ssl_st* ssl, const char* data, std::size_t size, short& wants) {
  ERR_clear_error();
  const int rc = SSL_write(ssl, data, int(std::min<std::size_t>(size, INT_MAX)));
  if (rc > 0) return rc;
  const ssize_t r = outcome(ssl, rc, wants);
  return r == 0 ? -2 : r;
}

void close(ssl_st* ssl) {
  ERR_clear_error();
  SSL_shutdown(ssl);  // non-blocking socket: one attempt, no waiting for the peer's reply
  ERR_clear_error();
  SSL_free(ssl);
}

}  // namespace tls
}  // namespace graph_runner::net
