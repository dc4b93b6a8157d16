#include "redis_client.hpp"

#include <sys/time.h>

#include <cstdlib>

namespace graph_runner::plugins::redis {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

}  // namespace

ServerSettings ServerSettings::from(const Context& ctx) {
  const Params& p = ctx.params();
  ServerSettings s;
  s.host = p.get_string("host");
  s.port = static_cast<int>(p.get_int("port"));
  s.socket = p.get_string("socket");
  s.user = p.get_string("user");
  s.connect_timeout = std::chrono::milliseconds(p.get_int("connect_timeout_ms"));
  s.reconnect_timeout = std::chrono::milliseconds(p.get_int("reconnect_timeout_ms"));
  if (const std::string& env = p.get_string("password_env"); !env.empty()) {
    const char* value = std::getenv(env.c_str());
    if (!value) ctx.param_error("password_env", "the environment variable " + env + " is not set");
    s.password = value;
  }
  if (!s.user.empty() && s.password.empty())
    ctx.param_error("user", "an ACL user needs a password: set password_env to the variable that holds it");
  s.address = s.socket.empty() ? "redis://" + s.host + ":" + std::to_string(s.port) : "unix:" + s.socket;
  return s;
}

void ServerSettings::add_params(std::vector<ParamSpec>& params) {
  params.push_back(ParamSpec::string("host", "Redis server host name or address").with_default(std::string("127.0.0.1")));
  params.push_back(ParamSpec::integer("port", "Redis server TCP port").with_default(std::int64_t{6379}).at_least(1).at_most(65535));
  params.push_back(ParamSpec::string("socket", "Unix socket path of the server; used instead of host and port when set")
                       .with_default(std::string()));
  params.push_back(ParamSpec::string("user", "ACL user to log in as (Redis 6+); empty = the default user")
                       .with_default(std::string()));
  params.push_back(ParamSpec::string("password_env", "name of the environment variable holding the password; empty = no AUTH")
                       .with_default(std::string()));
  params.push_back(ParamSpec::integer("connect_timeout_ms", "timeout of one connection attempt and of a reply")
                       .with_default(std::int64_t{2000}).at_least(1));
  params.push_back(ParamSpec::integer("reconnect_timeout_ms",
                                      "how long a lost connection is retried before the node fails")
                       .with_default(std::int64_t{30000}).at_least(0));
}

std::string RedisClient::message(std::string_view text) const {
  return what_.empty() ? server_.address + ": " + std::string(text) : what_ + ": " + server_.address + ": " + std::string(text);
}

void RedisClient::connect(std::chrono::milliseconds read_timeout) {
  ctx_.reset();
  const timeval tv = to_timeval(server_.connect_timeout);
  std::unique_ptr<redisContext, ContextDeleter> c(
      server_.socket.empty() ? redisConnectWithTimeout(server_.host.c_str(), server_.port, tv)
                             : redisConnectUnixWithTimeout(server_.socket.c_str(), tv));
  if (!c) throw RedisConnectionError(message("cannot connect: out of memory"));
  if (c->err) throw RedisConnectionError(message(std::string("cannot connect: ") + c->errstr));
  if (redisSetTimeout(c.get(), to_timeval(read_timeout)) != REDIS_OK)
    throw RedisConnectionError(message(std::string("cannot set the socket timeout: ") + c->errstr));
  // TCP keepalive finds a peer that vanished (on a Unix socket hiredis would fail the context)
  if (server_.socket.empty() && redisEnableKeepAlive(c.get()) != REDIS_OK)
    throw RedisConnectionError(message(std::string("cannot enable TCP keepalive: ") + c->errstr));
  ctx_ = std::move(c);
  if (server_.password.empty()) return;
  std::vector<std::string_view> auth{"AUTH"};
  if (!server_.user.empty()) auth.push_back(server_.user);
  auth.push_back(server_.password);
  try {
    command(auth);
  } catch (const RedisReplyError& e) {
    ctx_.reset();
    throw RedisReplyError(message("the server refused the login" +
                                  (server_.user.empty() ? std::string() : " of user '" + server_.user + "'") + ": " +
                                  e.reply()),
                          e.reply());
  }
}

void RedisClient::connection_lost() {
  std::string why = ctx_ ? std::string(ctx_->errstr) : std::string("not connected");
  if (why.empty() || why == "Resource temporarily unavailable") why = "no reply within the timeout";
  ctx_.reset();  // a hiredis context with err set is unusable
  throw RedisConnectionError(message("connection lost: " + why));
}

Reply RedisClient::checked(redisReply* r) {
  if (!r) connection_lost();
  Reply reply(r);
  if (reply->type == REDIS_REPLY_ERROR) {
    std::string text(reply_text(*reply));
    throw RedisReplyError(message(text), text);
  }
  return reply;
}

namespace {
// hiredis takes arguments as pointer and length arrays (binary-safe: no NUL needed).
struct Argv {
  explicit Argv(const std::vector<std::string_view>& args) {
    ptrs.reserve(args.size());
    lens.reserve(args.size());
    for (auto a : args) ptrs.push_back(a.data()), lens.push_back(a.size());
  }
  int count() const { return static_cast<int>(ptrs.size()); }
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
};
}  // namespace

Reply RedisClient::command(const std::vector<std::string_view>& args) {
  if (!ctx_) connection_lost();
  Argv argv(args);
  return checked(static_cast<redisReply*>(redisCommandArgv(ctx_.get(), argv.count(), argv.ptrs.data(), argv.lens.data())));
}

void RedisClient::append(const std::vector<std::string_view>& args) {
  if (!ctx_) connection_lost();
  Argv argv(args);
  if (redisAppendCommandArgv(ctx_.get(), argv.count(), argv.ptrs.data(), argv.lens.data()) != REDIS_OK)
    connection_lost();
}

Reply RedisClient::next_reply() {
  if (!ctx_) connection_lost();
  void* r = nullptr;
  if (redisGetReply(ctx_.get(), &r) != REDIS_OK || !r) connection_lost();
  return Reply(static_cast<redisReply*>(r));
}

std::string_view reply_text(const redisReply& r) noexcept {
  if (r.type == REDIS_REPLY_STRING || r.type == REDIS_REPLY_STATUS || r.type == REDIS_REPLY_ERROR)
    return {r.str, r.len};
  return {};
}

long long reply_integer(const redisReply& r) {
  if (r.type == REDIS_REPLY_INTEGER) return r.integer;
  if (r.type == REDIS_REPLY_STRING) return std::strtoll(r.str, nullptr, 10);
  throw std::runtime_error("unexpected reply type " + std::to_string(r.type) + " where a number was expected");
}

}  // namespace graph_runner::plugins::redis
