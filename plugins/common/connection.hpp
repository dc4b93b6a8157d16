#pragma once
// One connection of the ConnectionLoop: its buffers and state, and reads and writes that go
// through TLS when it has a session, in the shape of recv/send on a non-blocking socket.
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

struct ssl_st;

namespace graph_runner::net {

struct Connection {
  enum class State { reading, pending, writing };
  int fd = -1;
  ssl_st* ssl = nullptr;
  std::uint64_t id = 0;
  std::chrono::steady_clock::time_point deadline;
  std::string input, output;
  std::size_t sent = 0;
  std::size_t requests = 0;  // answered on this connection
  State state = State::reading;
  short tls_wants = 0;       // what TLS waits for, when it is not what the state suggests
  bool close_after_send = false;
  bool peer_closed = false;  // the client shut its side: answer what is complete, then close
  bool head_checked = false, continue_sent = false;  // for the request being read
};

// Closes the connection (and its TLS session) now.
void drop(Connection& c);
// > 0 bytes moved, 0 the peer closed (receive), -1 would block, -2 a failure: drop it.
ssize_t receive_some(Connection& c, char* data, std::size_t size);
ssize_t send_bytes(Connection& c, const char* data, std::size_t size);
// After the last answer: read and discard what the client already sent (up to 64 KiB), so
// that close() sends FIN, not a reset that could destroy the answer in flight (a 431).
void close_after_answer(Connection& c);

}  // namespace graph_runner::net
