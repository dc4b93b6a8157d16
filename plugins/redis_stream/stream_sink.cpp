// redis_stream (sink): appends every record to a Redis stream as one entry (XADD), the
// record's non-null fields as the entry's fields. One batch is one pipeline: all XADDs are
// sent, then all replies read, so a batch costs one round trip.
//
// Delivery (the Sink contract in node.hpp): write() returns once the server has answered
// every XADD of the batch. When the connection is lost mid-batch, the sink reconnects and
// sends the whole batch again (for up to reconnect_timeout_ms): entries of the first try
// that reached the server are then written twice: at least once, never lost.
#include <chrono>
#include <charconv>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "format.hpp"
#include "graph_runner/sdk.hpp"
#include "redis_client.hpp"

namespace graph_runner::plugins::redis {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

class StreamSink : public Sink {
 public:
  explicit StreamSink(Context& c)
      : ctx_(c), server_(ServerSettings::from(c)), stream_(c.params().get_string("stream")),
        maxlen_(std::to_string(c.params().get_int("maxlen"))), trim_(c.params().get_int("maxlen") > 0),
        client_(server_, "") {
    if (stream_.empty()) c.param_error("stream", "the stream key is empty");
  }

  void open() override { client_.connect(server_.connect_timeout); }

  void write(const Batch& batch) override {
    build(batch);
    Clock::time_point lost_at{};
    milliseconds backoff(100);
    for (;;) {
      try {
        send();
        if (lost_at != Clock::time_point{}) ctx_.log(LogLevel::info, client_.message("reconnected; batch written"));
        return;
      } catch (const RedisConnectionError& e) {
        if (lost_at == Clock::time_point{}) {
          lost_at = Clock::now();
          ctx_.log(LogLevel::warn, std::string(e.what()) + "; reconnecting to write the batch again");
        }
        const auto down = std::chrono::duration_cast<milliseconds>(Clock::now() - lost_at);
        if (down >= server_.reconnect_timeout || (ctx_.stop_requested() && down >= milliseconds(1000)))
          throw std::runtime_error(std::string(e.what()) + "; gave up after " + std::to_string(down.count()) +
                                   " ms (reconnect_timeout_ms)");
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, milliseconds(1000));
      }
    }
  }

  void close() override { client_.close(); }

 private:
  // The XADD arguments of every record; texts_ holds the numbers written as text.
  void build(const Batch& batch) {
    texts_.clear();
    commands_.assign(batch.size(), {});
    const auto columns = batch.columns();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const std::size_t row = batch.row(i);
      auto& args = commands_[i];
      args = {"XADD", stream_};
      if (trim_) args.insert(args.end(), {"MAXLEN", "~", maxlen_});
      args.push_back("*");
      const std::size_t fixed = args.size();
      for (const auto& c : columns) {
        const Value v = c->get(row);
        if (v.is_null()) continue;  // null or absent: not an entry field
        args.push_back(field_name(c->field()));
        args.push_back(text(v));
      }
      if (args.size() == fixed)
        throw std::runtime_error("record " + std::to_string(i) +
                                 " of the batch has no field that is not null: a stream entry needs one");
    }
  }

  std::string_view text(const Value& v) {
    switch (v.type()) {
      case Type::string:
      case Type::bytes:
      case Type::json: return v.as_string();  // points into the batch, alive during write()
      case Type::boolean: return v.as_bool() ? "true" : "false";
      case Type::int64: {
        std::string& s = texts_.emplace_back(24, '\0');
        auto [end, ec] = std::to_chars(s.data(), s.data() + s.size(), v.as_int());
        s.resize(static_cast<std::size_t>(end - s.data()));
        return s;
      }
      case Type::float64: {
        std::string& s = texts_.emplace_back();
        append_double(s, v.as_double(), false);
        return s;
      }
      case Type::null: break;
    }
    return {};
  }

  void send() {
    if (!client_.connected()) client_.connect(server_.connect_timeout);
    for (const auto& args : commands_) client_.append(args);
    std::string error;
    for (std::size_t i = 0; i < commands_.size(); ++i) {
      Reply r = client_.next_reply();  // read every reply, also after an error, to keep the pipeline in step
      if (r->type == REDIS_REPLY_ERROR && error.empty()) error = std::string(reply_text(*r));
    }
    if (error.empty()) return;
    std::string hint;
    if (error.rfind("WRONGTYPE", 0) == 0) hint = " (the key '" + stream_ + "' exists and is not a stream)";
    throw RedisReplyError(client_.message("XADD to '" + stream_ + "' failed: " + error + hint), error);
  }

  Context& ctx_;
  ServerSettings server_;
  std::string stream_, maxlen_;
  bool trim_;
  RedisClient client_;
  std::deque<std::string> texts_;  // a deque: views into its strings stay valid as it grows
  std::vector<std::vector<std::string_view>> commands_;
};

}  // namespace

PluginDescriptor describe_redis_stream_sink() {
  std::vector<ParamSpec> params{
      ParamSpec::string("stream", "key of the stream to append to").mandatory(),
      ParamSpec::integer("maxlen", "trim the stream to about this many entries (XADD MAXLEN ~); 0 = never trim")
          .with_default(std::int64_t{0}).at_least(0),
  };
  ServerSettings::add_params(params);
  return PluginDescriptor::sink<StreamSink>("redis_stream", "appends records to a Redis stream (XADD, pipelined per batch)")
      .with_params(std::move(params));
}

}  // namespace graph_runner::plugins::redis

GRAPH_RUNNER_SINK_PLUGIN(redis_stream, graph_runner::plugins::redis::describe_redis_stream_sink)
