#pragma once
// One connection to a Redis server (hiredis 0.14, RESP2), shared by the redis_stream
// source and sink. A connection is used by one thread at a time: hiredis contexts are not
// thread-safe, so each thread that talks to Redis owns its own RedisClient.
//
// Two kinds of failure, kept apart because callers treat them differently:
// - RedisConnectionError: the connection is gone or timed out (reset, server restarted,
//   unreachable). The connection is closed; the caller may reconnect() and try again.
// - RedisReplyError: the server answered with an error (WRONGTYPE, NOGROUP, WRONGPASS).
//   Trying again gives the same answer.
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <hiredis/hiredis.h>

#include "graph_runner/context.hpp"

namespace graph_runner::plugins::redis {

struct ReplyDeleter {
  void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

class RedisConnectionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class RedisReplyError : public std::runtime_error {
 public:
  RedisReplyError(const std::string& message, std::string reply)
      : std::runtime_error(message), reply_(std::move(reply)) {}
  // The server's error text, e.g. "NOGROUP No such key ...".
  const std::string& reply() const noexcept { return reply_; }
  bool starts_with(std::string_view code) const noexcept { return reply_.rfind(code, 0) == 0; }

 private:
  std::string reply_;
};

// Where the server is and how to log in: the parameters both plugins share.
struct ServerSettings {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string socket;    // a Unix socket path; used instead of host and port when set
  std::string user;      // ACL user (Redis 6+); empty = the default user
  std::string password;  // read from the environment variable named by password_env
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds reconnect_timeout{30000};  // how long a lost server is waited for
  std::string address;   // "redis://host:port" or "unix:PATH", for messages

  // Reads host, port, socket, user, password_env, connect_timeout_ms, reconnect_timeout_ms.
  static ServerSettings from(const Context& ctx);
  // The parameter specs for them, appended to a plugin's own.
  static void add_params(std::vector<ParamSpec>& params);
};

class RedisClient {
 public:
  // `what` prefixes messages (empty: the engine already names the node).
  RedisClient(ServerSettings server, std::string what) : server_(std::move(server)), what_(std::move(what)) {}

  // Connects and logs in; throws RedisConnectionError when the server cannot be reached
  // and RedisReplyError when it refuses the login. `read_timeout` bounds every reply (a
  // blocking XREADGROUP's wait must fit in it).
  void connect(std::chrono::milliseconds read_timeout);
  void close() noexcept { ctx_.reset(); }
  bool connected() const noexcept { return ctx_ != nullptr; }
  const ServerSettings& server() const noexcept { return server_; }

  // One command, one reply. An error reply throws RedisReplyError.
  Reply command(const std::vector<std::string_view>& args);
  // Pipelining: append commands, then read their replies in order. An error reply is
  // returned as a reply (type REDIS_REPLY_ERROR), not thrown, so every reply is read.
  void append(const std::vector<std::string_view>& args);
  Reply next_reply();

  // "[WHAT: ]redis://127.0.0.1:6379: MESSAGE"
  std::string message(std::string_view text) const;

 private:
  [[noreturn]] void connection_lost();
  Reply checked(redisReply* r);

  struct ContextDeleter {
    void operator()(redisContext* c) const noexcept { redisFree(c); }
  };
  ServerSettings server_;
  std::string what_;
  std::unique_ptr<redisContext, ContextDeleter> ctx_;
};

// Reply helpers: the text of a string/status/error reply; an integer reply as a number.
std::string_view reply_text(const redisReply& r) noexcept;
long long reply_integer(const redisReply& r);

}  // namespace graph_runner::plugins::redis
