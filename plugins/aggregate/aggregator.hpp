#pragma once
// The aggregate stage's logic without the engine: records in, one result record per group
// per window out, by a clock the caller passes in (tests use their own).
//
// Windows:
// - none: one window for the whole stream, emitted by finish();
// - tumbling by processing time: [k * size, (k + 1) * size) of the clock when records
//   arrive, closed by tick() or add() once the clock passes its end;
// - tumbling by event time: by each record's `time_field`; the watermark is the latest event
//   time seen minus allowed_lateness_ms; a window closes once the watermark reaches its end,
//   and a record whose window ended at or before the watermark is late: rejected;
// - count: every `window_records` aggregated records, closed as soon as it is full.
// finish() emits every open window (end of stream, graceful stop).
//
// max_groups bounds the groups of all open windows together: past it, "flush" emits every
// open window early (partial results, counted in Stats::early_flushes), "reject" rejects
// the record that would start a new group (Stats::over_max_groups).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "accumulators.hpp"
#include "aggregate_spec.hpp"
#include "group_keys.hpp"

namespace graph_runner::plugins::agg {

enum class WindowKind { none, tumbling, count };

struct Config {
  std::vector<std::string> group_by;           // the keys' field names in the results
  std::vector<std::string> group_expressions;  // per key: its expression, or empty for the field itself
  std::vector<AggregateSpec> aggregates;
  WindowKind window = WindowKind::none;
  std::int64_t window_ms = 0;          // tumbling
  std::uint64_t window_records = 0;    // count
  bool event_time = false;             // tumbling: by time_field, not by arrival
  std::string time_field;
  std::int64_t allowed_lateness_ms = 0;
  std::size_t max_groups = 100000;
  bool reject_over_max = false;        // on_max_groups = "reject" (else "flush")
  // acknowledge = "emitted": keep the input batches (their tickets) until the window that
  // absorbed them is emitted; the results carry them, so the sources are acknowledged when
  // the results are consumed. Otherwise inputs are released as soon as they are absorbed.
  bool hold_inputs = false;
  std::size_t output_batch = 1024;     // records per output batch
};

struct Stats {
  std::uint64_t aggregated = 0;        // records absorbed into a result
  std::uint64_t rejected = 0;          // of which the next three, and type errors
  std::uint64_t late = 0;
  std::uint64_t over_max_groups = 0;
  std::uint64_t early_flushes = 0;     // max_groups flushes and flush() with held inputs
  std::uint64_t results = 0;           // result records emitted
};

class Aggregator {
 public:
  // Record `record` (an index into the batch, through its selection) failed with `error`.
  using Reject = std::function<void(const Batch& batch, std::size_t record, const std::string& error)>;

  explicit Aggregator(Config config);
  ~Aggregator();

  void add(const BatchPtr& in, std::int64_t now_ms, std::vector<BatchPtr>& out, const Reject& reject);
  // Closes the processing-time windows that ended by `now_ms`.
  void tick(std::int64_t now_ms, std::vector<BatchPtr>& out);
  // The end of the stream or a graceful stop: emits every open window.
  void finish(std::vector<BatchPtr>& out);
  // The engine found the sources waiting on batches held here: emits every open window
  // early when inputs are held (hold_inputs); otherwise nothing is held and nothing happens.
  void flush(std::vector<BatchPtr>& out);

  std::size_t groups() const noexcept { return total_groups_; }
  const Stats& stats() const noexcept { return stats_; }
  bool holds_inputs() const noexcept;
  std::string_view time_field() const noexcept { return config_.time_field; }

 private:
  struct Window;
  Window& window(std::int64_t key, std::int64_t start, std::int64_t end);
  // The group of `key` (its hash `h`) in `w`, added if new; GroupTable::none when that would
  // pass max_groups.
  std::uint32_t lookup(Window& w, std::string_view key, std::uint64_t h);
  // hashes_[j] for the valid string keys of records[from..].
  void hash_ahead(const Batch& b, const Column& strings, std::span<const std::uint32_t> records, std::size_t from);
  void absorb(Window& w, const BatchPtr& in, std::span<const std::uint32_t> records, std::vector<BatchPtr>& out,
              const Reject& reject);
  void emit(Window& w, std::vector<BatchPtr>& out);
  void emit_all(std::vector<BatchPtr>& out);
  void close_until(std::int64_t end, std::vector<BatchPtr>& out);
  // Records of `in` that every aggregate can take (and their event times); rejects the others.
  void check(const Batch& in, const Reject& reject);

  Config config_;
  KeyReader keys_;
  std::vector<Field> outputs_, inputs_;  // per aggregate: its result field, its input field
  Field window_start_, window_end_, time_field_;
  std::map<std::int64_t, std::unique_ptr<Window>> windows_;  // open windows by start (count: by number)
  std::size_t total_groups_ = 0;
  std::int64_t watermark_ = INT64_MIN;
  std::uint64_t count_window_ = 0;  // count windows: the number of the open one
  Stats stats_;
  // Scratch, reused across batches.
  std::vector<std::uint32_t> good_, rows_, groups_;
  std::vector<std::int64_t> times_;
  std::vector<std::uint64_t> hashes_;  // hash_ahead()'s
  static constexpr std::size_t prefetch_above = 4096, prefetch_distance = 8;
  std::string key_;
  // absorb()'s cache for one string key: StringView bytes -> group (see there).
  static constexpr int cache_bits = 9;
  struct CacheEntry {
    std::uint64_t view[2];
    std::uint32_t group;
    std::uint64_t generation = 0;
  };
  std::vector<CacheEntry> cache_ = std::vector<CacheEntry>(std::size_t{1} << cache_bits);
  std::uint64_t cache_generation_ = 0, cache_valid_from_ = 1;
  const Window* cache_window_ = nullptr;
};

}  // namespace graph_runner::plugins::agg
