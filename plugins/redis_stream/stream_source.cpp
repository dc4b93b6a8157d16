// redis_stream (source): reads a Redis stream as one consumer of a consumer group, so the
// same graph run on N machines shares the stream (docs/scaling-out.md).
//
// Order of reading: first this consumer's own pending entries (XREADGROUP from id 0: read
// before a crash or restart, never acknowledged), then entries claimed from consumers that
// have been idle for claim_idle_ms (XAUTOCLAIM, Redis >= 6.2), then new entries (`>`).
// Entries are acknowledged (XACK) only when their source batch is delivered
// (Source::acknowledge); StreamAcker sends them on its own connection and thread.
//
// Stop: XREADGROUP blocks for at most block_ms (100 ms by default) and read() returns
// empty-handed when it times out, so a stop request is seen within block_ms; an empty
// read() keeps the source alive (not "idle", not a deadlock) without holding a batch open.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "graph_runner/sdk.hpp"
#include "redis_client.hpp"
#include "stream_acker.hpp"
#include "stream_entries.hpp"

namespace graph_runner::plugins::redis {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string default_consumer() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "localhost");
  return std::string(host) + "-" + std::to_string(getpid());
}

class StreamSource : public Source {
 public:
  explicit StreamSource(Context& c)
      : ctx_(c), server_(ServerSettings::from(c)), stream_(c.params().get_string("stream")),
        group_(c.params().get_string("group")), consumer_(c.params().get_string("consumer")),
        group_start_(c.params().get_string("group_start")), create_group_(c.params().get_bool("create_group")),
        claim_idle_(c.params().get_int("claim_idle_ms")), block_(c.params().get_int("block_ms")),
        max_entries_(static_cast<std::uint64_t>(c.params().get_int("max_entries"))),
        stop_when_idle_(c.params().get_int("stop_when_idle_ms")),
        writer_(c.params().get_bool("parse_numbers"), c.params().get_string("id_field")),
        reader_(server_, "") {
    if (stream_.empty()) c.param_error("stream", "the stream key is empty");
    if (group_.empty()) c.param_error("group", "the group name is empty");
    if (consumer_.empty()) consumer_ = default_consumer();
    try {  // with on_error = "route", a batch is made for bad entries alone (see read())
      c.port("errors");
      route_ = true;
    } catch (const std::exception&) {
    }
  }

  // Connects and logs in: a server that cannot be reached, or refuses the login, is an error
  // at once (also for `validate --instantiate`). The group is created at the first read(),
  // so validating changes nothing on the server.
  void open() override {
    connect();
    acker_ = std::make_unique<StreamAcker>(ctx_, server_, stream_, group_);
    ctx_.log(LogLevel::info, reader_.message("reading stream '" + stream_ + "' as consumer '" + consumer_ +
                                             "' of group '" + group_ + "'"));
    last_entry_ = Clock::now();
  }

  bool read(BatchBuilder& out) override {
    if (max_entries_ > 0 && read_ >= max_entries_) return false;
    if (!reader_.connected() && !reconnect()) return true;
    std::vector<EntryView> entries;
    Reply reply;
    try {
      if (!group_ready_) ensure_group();
      reply = next(out.capacity(), entries);
    } catch (const RedisConnectionError& e) {
      ctx_.log(LogLevel::warn, std::string(e.what()) + "; reconnecting");
      lost_at_ = Clock::now();
      return true;
    } catch (const RedisReplyError& e) {
      if (e.starts_with("NOGROUP") && create_group_) {  // the server lost it (a restart without persistence)
        group_ready_ = false;
        return true;
      }
      throw std::runtime_error(explain(e));
    }
    if (entries.empty()) {
      return !(stop_when_idle_.count() > 0 && Clock::now() - last_entry_ >= stop_when_idle_);
    }
    last_entry_ = Clock::now();
    read_ += entries.size();
    deliver(out, entries);
    return true;
  }

  void stop() override { stopping_ = true; }
  void acknowledge(std::uint64_t batch) override { acker_->acknowledge(batch); }
  void close() override {
    if (acker_) acker_->close();
    reader_.close();
  }

 private:
  // The next entries: own pending ones first, then claimed ones, then new ones.
  Reply next(std::size_t capacity, std::vector<EntryView>& entries) {
    std::size_t count = capacity;
    if (max_entries_ > 0) count = std::min<std::uint64_t>(count, max_entries_ - read_);
    const std::string n = std::to_string(count);
    if (history_) {
      Reply r = reader_.command({"XREADGROUP", "GROUP", group_, consumer_, "COUNT", n, "STREAMS", stream_, history_from_});
      collect_read(*r, entries);
      if (entries.empty()) {
        history_ = false;
      } else {
        history_from_ = std::string(entries.back().id);
        return r;
      }
    }
    if (claim_idle_.count() > 0 && Clock::now() >= next_claim_) {
      Reply r = reader_.command({"XAUTOCLAIM", stream_, group_, consumer_, std::to_string(claim_idle_.count()),
                                 claim_cursor_, "COUNT", n});
      std::size_t deleted = 0;
      claim_cursor_ = collect_claimed(*r, entries, deleted);
      if (claim_cursor_ == "0-0")  // pass complete: the next one when more may have become idle
        next_claim_ = Clock::now() + std::clamp(claim_idle_ / 2, milliseconds(100), milliseconds(5000));
      if (!entries.empty()) {
        ctx_.log(LogLevel::info, "claimed " + std::to_string(entries.size()) + " entries idle for " +
                                     std::to_string(claim_idle_.count()) + " ms or more (from a consumer that stopped)");
        return r;
      }
    }
    if (stopping_) return {};
    Reply r = reader_.command({"XREADGROUP", "GROUP", group_, consumer_, "COUNT", n, "BLOCK",
                               std::to_string(block_.count()), "STREAMS", stream_, ">"});
    collect_read(*r, entries);
    return r;
  }

  // Entries to records. Under `fail`, reject_input throws before anything is appended.
  void deliver(BatchBuilder& out, const std::vector<EntryView>& entries) {
    std::vector<std::string> ids;
    ids.reserve(entries.size());
    std::size_t bad = 0;
    for (const auto& e : entries) {
      if (e.has_fields()) continue;
      ++bad;
      ctx_.reject_input(e.id, reader_.message("stream '" + stream_ + "': entry " + std::string(e.id) +
                                              " has no fields (deleted while pending?); acknowledge it "
                                              "(XACK) or set on_error = \"drop\""));
    }
    std::size_t records = 0;
    for (const auto& e : entries) {
      ids.emplace_back(e.id);
      if (e.has_fields()) writer_.add(out, e), ++records;
    }
    // The engine numbers a batch for every read() with records, or (under `route`) with bad
    // entries alone: the same rule here, so Source::acknowledge(batch) finds its ids.
    if (records > 0 || (bad > 0 && route_)) acker_->issued(batch_++, std::move(ids));
    else acker_->acknowledge_ids(std::move(ids));  // dropped bad entries only: nothing else will free them
  }

  void connect() {
    reader_.connect(block_ + server_.connect_timeout);
    group_ready_ = false;
  }

  // XGROUP CREATE ... MKSTREAM when asked; an existing group is fine (BUSYGROUP).
  void ensure_group() {
    group_ready_ = true;
    if (!create_group_) return;
    try {
      reader_.command({"XGROUP", "CREATE", stream_, group_, group_start_, "MKSTREAM"});
      ctx_.log(LogLevel::info, reader_.message("created consumer group '" + group_ + "' on stream '" + stream_ +
                                               "' from id " + group_start_));
    } catch (const RedisReplyError& e) {
      if (!e.starts_with("BUSYGROUP")) throw std::runtime_error(explain(e));
    }
  }

  // After a lost connection: one attempt per call, waiting between them (read() returns
  // empty-handed, so a stop is seen); fails after reconnect_timeout_ms.
  bool reconnect() {
    const auto now = Clock::now();
    if (now < next_attempt_) {
      std::this_thread::sleep_for(std::min<Clock::duration>(next_attempt_ - now, milliseconds(100)));
      return false;
    }
    try {
      connect();
      ctx_.log(LogLevel::info, reader_.message("reconnected"));
      backoff_ = milliseconds(100);
      return true;
    } catch (const RedisConnectionError& e) {
      const auto down = std::chrono::duration_cast<milliseconds>(Clock::now() - lost_at_);
      if (down >= server_.reconnect_timeout)
        throw std::runtime_error(std::string(e.what()) + "; gave up after " + std::to_string(down.count()) +
                                 " ms (reconnect_timeout_ms)");
      next_attempt_ = Clock::now() + backoff_;
      backoff_ = std::min(backoff_ * 2, milliseconds(1000));
      return false;
    }
  }

  std::string explain(const RedisReplyError& e) const {
    std::string hint;
    if (e.starts_with("WRONGTYPE")) hint = " (the key '" + stream_ + "' exists and is not a stream)";
    else if (e.starts_with("NOGROUP"))
      hint = " (create the group: XGROUP CREATE " + stream_ + " " + group_ + " 0 MKSTREAM, or set create_group = true)";
    else if (e.reply().find("unknown command") != std::string::npos && e.reply().find("XAUTOCLAIM") != std::string::npos)
      hint = " (claiming needs Redis 6.2 or later; set claim_idle_ms = 0 to read without claiming)";
    return std::string(e.what()) + hint;
  }

  Context& ctx_;
  ServerSettings server_;
  std::string stream_, group_, consumer_, group_start_;
  bool create_group_;
  milliseconds claim_idle_, block_;
  std::uint64_t max_entries_;
  milliseconds stop_when_idle_;
  RecordWriter writer_;
  RedisClient reader_;
  std::unique_ptr<StreamAcker> acker_;
  bool route_ = false;
  bool group_ready_ = false;       // ensure_group() ran on this connection
  std::atomic<bool> stopping_{false};
  bool history_ = true;            // still reading this consumer's own pending entries
  std::string history_from_ = "0";
  std::string claim_cursor_ = "0-0";
  Clock::time_point next_claim_{}, last_entry_{}, lost_at_{}, next_attempt_{};
  milliseconds backoff_{100};
  std::uint64_t batch_ = 0, read_ = 0;
};

}  // namespace

PluginDescriptor describe_redis_stream_source() {
  std::vector<ParamSpec> params{
      ParamSpec::string("stream", "key of the stream to read").mandatory(),
      ParamSpec::string("group", "consumer group: processes in one group share the stream").mandatory(),
      ParamSpec::string("consumer", "this consumer's name in the group; empty = HOST-PID").with_default(std::string()),
      ParamSpec::boolean("create_group", "create the group (and the stream: MKSTREAM) when it does not exist")
          .with_default(false),
      ParamSpec::string("group_start", "with create_group: the id the new group starts after (\"0\" = the whole "
                                       "stream, \"$\" = only new entries)")
          .with_default(std::string("0")),
      ParamSpec::integer("claim_idle_ms", "claim entries pending this long at another consumer (XAUTOCLAIM); "
                                          "0 = never claim; keep it above the time a batch stays in flight")
          .with_default(std::int64_t{30000}).at_least(0),
      ParamSpec::integer("block_ms", "longest wait of one XREADGROUP: a stop is seen within it")
          .with_default(std::int64_t{100}).at_least(1).at_most(10000),
      ParamSpec::integer("max_entries", "end after reading this many entries; 0 = never (batch jobs, tests)")
          .with_default(std::int64_t{0}).at_least(0),
      ParamSpec::integer("stop_when_idle_ms", "end when no entry arrived for this long; 0 = never")
          .with_default(std::int64_t{0}).at_least(0),
      ParamSpec::string("id_field", "record field that receives the entry id; empty = none").with_default(std::string()),
      ParamSpec::boolean("parse_numbers", "values written exactly as graph-runner writes numbers become int/double; "
                                          "false = every value is a string")
          .with_default(true),
  };
  ServerSettings::add_params(params);
  return PluginDescriptor::source<StreamSource>("redis_stream",
                                                "reads a Redis stream as a consumer group member; XACK after delivery")
      .with_params(std::move(params));
}

}  // namespace graph_runner::plugins::redis

GRAPH_RUNNER_SOURCE_PLUGIN(redis_stream, graph_runner::plugins::redis::describe_redis_stream_source)
