#include "aggregator.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "event_time.hpp"

namespace graph_runner::plugins::agg {
namespace {

std::int64_t floor_to(std::int64_t t, std::int64_t size) {
  const std::int64_t q = t / size;
  return (q - ((t % size) < 0 ? 1 : 0)) * size;
}

std::string shown(const Value& v) {
  if (v.is_null()) return "missing";
  std::string s(type_name(v.type()));
  if (v.is_text()) s += " \"" + std::string(v.as_string().substr(0, 40)) + "\"";
  return s;
}

Value copy_into(BatchBuilder& b, const Value& v) {
  switch (v.type()) {
    case Type::string: return b.string(v.as_string());
    case Type::bytes: return b.bytes(v.as_string());
    case Type::json: return b.json(v.as_string());
    default: return v;
  }
}

}  // namespace

struct Aggregator::Window {
  std::int64_t start = 0, end = 0;
  GroupTable table;
  std::vector<std::unique_ptr<Accumulator>> accumulators;
  std::uint64_t records = 0;
  std::vector<BatchPtr> held;  // hold_inputs: the batches absorbed, until emitted
};

Aggregator::Aggregator(Config config) : config_(std::move(config)), keys_(config_.group_by, config_.group_expressions) {
  for (const auto& a : config_.aggregates) {
    outputs_.push_back(graph_runner::field(a.output));
    inputs_.push_back(a.field.empty() ? Field{} : graph_runner::field(a.field));
  }
  window_start_ = graph_runner::field("window_start");
  window_end_ = graph_runner::field("window_end");
  if (config_.event_time) time_field_ = graph_runner::field(config_.time_field);
}

Aggregator::~Aggregator() = default;

bool Aggregator::holds_inputs() const noexcept {
  for (const auto& [key, w] : windows_)
    if (!w->held.empty()) return true;
  return false;
}

Aggregator::Window& Aggregator::window(std::int64_t key, std::int64_t start, std::int64_t end) {
  auto& slot = windows_[key];
  if (!slot) {
    slot = std::make_unique<Window>();
    slot->start = start;
    slot->end = end;
    for (const auto& a : config_.aggregates) slot->accumulators.push_back(make_accumulator(a));
  }
  return *slot;
}

void Aggregator::check(const Batch& in, const Reject& reject) {
  good_.clear();
  times_.clear();
  std::vector<std::pair<const AggregateSpec*, const Column*>> risky;  // columns that may hold a wrong type
  for (std::size_t a = 0; a < config_.aggregates.size(); ++a) {
    const Column* c = inputs_[a].valid() ? in.find(inputs_[a]) : nullptr;
    if (may_fail(config_.aggregates[a], c)) risky.emplace_back(&config_.aggregates[a], c);
  }
  const std::size_t n = in.size();
  if (risky.empty() && !config_.event_time) {
    good_.resize(n);
    std::iota(good_.begin(), good_.end(), 0u);
    return;
  }
  const Column* time = config_.event_time ? in.find(time_field_) : nullptr;
  std::string error;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t row = in.row(i);
    error.clear();
    for (const auto& [spec, column] : risky)
      if (error = type_error(*spec, column, row); !error.empty()) break;
    std::int64_t t = 0;
    if (error.empty() && config_.event_time) {
      const Value v = time ? time->get(row) : Value{};
      if (auto ms = event_time_ms(v)) t = *ms;
      else error = "event time field '" + config_.time_field + "' is " + shown(v) +
                   ", expected epoch milliseconds or an RFC 3339 timestamp";
    }
    if (!error.empty()) {
      ++stats_.rejected;
      reject(in, i, error);
      continue;
    }
    good_.push_back(static_cast<std::uint32_t>(i));
    if (config_.event_time) times_.push_back(t);
  }
}

void Aggregator::add(const BatchPtr& in, std::int64_t now_ms, std::vector<BatchPtr>& out, const Reject& reject) {
  const bool processing = config_.window == WindowKind::tumbling && !config_.event_time;
  if (processing) close_until(now_ms, out);
  check(*in, reject);
  if (good_.empty()) return;
  const std::vector<std::uint32_t>& records = good_;  // absorb() does not touch good_
  switch (config_.window) {
    case WindowKind::none: absorb(window(0, 0, 0), in, records, out, reject); break;
    case WindowKind::count:
      for (std::size_t k = 0; k < records.size();) {
        Window& w = window(static_cast<std::int64_t>(count_window_), now_ms, now_ms);
        const std::size_t take = std::min<std::size_t>(config_.window_records - w.records, records.size() - k);
        absorb(w, in, std::span(records).subspan(k, take), out, reject);
        w.end = now_ms;
        k += take;
        if (w.records >= config_.window_records) {
          emit(w, out);
          windows_.erase(static_cast<std::int64_t>(count_window_++));
        }
      }
      break;
    case WindowKind::tumbling: {
      const std::int64_t size = config_.window_ms;
      if (processing) {
        const std::int64_t start = floor_to(now_ms, size);
        absorb(window(start, start, start + size), in, records, out, reject);
        break;
      }
      std::vector<std::uint32_t> run;  // consecutive records of one window
      std::int64_t run_start = 0;
      auto absorb_run = [&] {
        if (!run.empty()) absorb(window(run_start, run_start, run_start + size), in, run, out, reject);
        run.clear();
      };
      for (std::size_t k = 0; k < records.size(); ++k) {
        const std::int64_t t = times_[k], start = floor_to(t, size);
        if (start + size <= watermark_) {
          ++stats_.late;
          ++stats_.rejected;
          reject(*in, records[k], "late: event time " + std::to_string(t) + " ms is in window [" +
                                      std::to_string(start) + ", " + std::to_string(start + size) +
                                      "), closed at watermark " + std::to_string(watermark_) + " ms");
          continue;
        }
        if (start != run_start) absorb_run();
        run_start = start;
        run.push_back(records[k]);
        const std::int64_t lateness = config_.allowed_lateness_ms;
        if (t > INT64_MIN + lateness) watermark_ = std::max(watermark_, t - lateness);
      }
      absorb_run();
      close_until(watermark_, out);
      break;
    }
  }
}

void Aggregator::hash_ahead(const Batch& b, const Column& strings, std::span<const std::uint32_t> records,
                            std::size_t from) {
  hashes_.resize(records.size());
  for (std::size_t j = from; j < records.size(); ++j) {
    const std::size_t row = b.row(records[j]);
    if (!strings.valid(row)) continue;
    key_.clear();
    encode_value(Value::string_ref(strings.strings()[row].view()), key_);
    hashes_[j] = hash_bytes(key_);
  }
}

std::uint32_t Aggregator::lookup(Window& w, std::string_view key, std::uint64_t h) {
  const std::uint32_t g = w.table.find(key, h);
  if (g != GroupTable::none || total_groups_ >= config_.max_groups) return g;
  ++total_groups_;
  return w.table.add(key, h);
}

void Aggregator::absorb(Window& win, const BatchPtr& in, std::span<const std::uint32_t> records,
                        std::vector<BatchPtr>& out, const Reject& reject) {
  const Batch& b = *in;
  keys_.bind(b, records);
  if (config_.hold_inputs && (win.held.empty() || win.held.back() != in)) win.held.push_back(in);
  const Column* strings = keys_.single_string_column();
  std::size_t k = 0;
  while (k < records.size()) {
    rows_.clear();
    groups_.clear();
    // One string key: the same 16 bytes of StringView are the same text (inline, or the same
    // pointer into this batch's arena), so a small cache by those bytes skips the key's
    // encoding, hash and table probe for most records. An entry holds for this window until
    // it is emitted (group numbers restart), and one of a long string for this call only
    // (another batch may reuse the address).
    if (&win != cache_window_ || win.table.size() == 0) cache_valid_from_ = cache_generation_ + 1;
    cache_window_ = &win;
    const std::uint64_t call_generation = ++cache_generation_;
    // Many groups: the table is beyond the CPU cache and each probe waits for memory. Hash
    // the keys first, then prefetch the slot a few records ahead of the probe.
    const bool ahead = strings && win.table.size() > prefetch_above;
    if (ahead) hash_ahead(b, *strings, records, k);
    for (; k < records.size(); ++k) {
      const std::size_t row = b.row(records[k]);
      if (keys_.failed(records[k])) {  // a key expression failed on it: rejected, not grouped
        ++stats_.rejected;
        reject(b, records[k], keys_.failure(records[k]));
        continue;
      }
      std::uint32_t g;
      if (ahead && k + prefetch_distance < records.size()) win.table.prefetch(hashes_[k + prefetch_distance]);
      if (strings && strings->valid(row)) {
        const StringView& s = strings->strings()[row];
        std::uint64_t w[2];
        std::memcpy(w, &s, sizeof w);
        CacheEntry& e = cache_[((w[0] * 0x9e3779b97f4a7c15ULL) ^ (w[1] * 0xc2b2ae3d27d4eb4fULL)) >> (64 - cache_bits)];
        const std::uint64_t valid_from = s.is_inline() ? cache_valid_from_ : call_generation;
        if (e.generation >= valid_from && std::memcmp(e.view, w, sizeof w) == 0) {
          g = e.group;
        } else {
          key_.clear();
          encode_value(Value::string_ref(s.view()), key_);
          g = lookup(win, key_, ahead ? hashes_[k] : hash_bytes(key_));
          if (g != GroupTable::none) {
            std::memcpy(e.view, w, sizeof w);
            e.group = g;
            e.generation = call_generation;
          }
        }
      } else {
        keys_.key(records[k], row, key_);
        g = lookup(win, key_, hash_bytes(key_));
      }
      if (g == GroupTable::none) break;  // a new group past max_groups
      rows_.push_back(static_cast<std::uint32_t>(row));
      groups_.push_back(g);
    }
    if (!rows_.empty()) {
      for (auto& a : win.accumulators) {
        a->resize(win.table.size());
        a->absorb(b, rows_, groups_);
      }
      win.records += rows_.size();
      stats_.aggregated += rows_.size();
    }
    if (k == records.size()) break;
    if (config_.reject_over_max) {
      ++stats_.over_max_groups;
      ++stats_.rejected;
      reject(b, records[k++], "a new group past max_groups = " + std::to_string(config_.max_groups) +
                                  " (on_max_groups = \"reject\")");
    } else {
      ++stats_.early_flushes;
      emit_all(out);  // win too: it starts again empty
      if (config_.hold_inputs) win.held.push_back(in);
    }
  }
}

void Aggregator::emit(Window& w, std::vector<BatchPtr>& out) {
  const std::size_t n = w.table.size();
  const bool windowed = config_.window != WindowKind::none;
  for (std::size_t first = 0; first < n; first += config_.output_batch) {
    const std::size_t m = std::min(config_.output_batch, n - first);
    BatchBuilder b(m);
    for (std::size_t g = first; g < first + m; ++g) {
      const std::size_t r = b.add_record();
      const std::string_view key = w.table.key(static_cast<std::uint32_t>(g));
      std::size_t pos = 0;
      for (std::size_t k = 0; k < keys_.size(); ++k) b.set(r, keys_.field(k), copy_into(b, decode_value(key, pos)));
      for (std::size_t a = 0; a < outputs_.size(); ++a) b.set(r, outputs_[a], w.accumulators[a]->result(g, b));
      if (windowed) {
        b.set(r, window_start_, Value::of(w.start));
        b.set(r, window_end_, Value::of(w.end));
      }
    }
    for (const auto& held : w.held) b.keep(*held);  // acknowledged when the results are consumed
    out.push_back(b.finish());
  }
  stats_.results += n;
  total_groups_ -= n;
  w.table.clear();
  for (std::size_t a = 0; a < w.accumulators.size(); ++a) w.accumulators[a] = make_accumulator(config_.aggregates[a]);
  w.records = 0;
  w.held.clear();
}

void Aggregator::emit_all(std::vector<BatchPtr>& out) {
  for (auto& [key, w] : windows_) emit(*w, out);
}

void Aggregator::close_until(std::int64_t end, std::vector<BatchPtr>& out) {
  while (!windows_.empty() && windows_.begin()->second->end <= end) {
    emit(*windows_.begin()->second, out);
    windows_.erase(windows_.begin());
  }
}

void Aggregator::tick(std::int64_t now_ms, std::vector<BatchPtr>& out) {
  if (config_.window == WindowKind::tumbling && !config_.event_time) close_until(now_ms, out);
}

void Aggregator::finish(std::vector<BatchPtr>& out) {
  emit_all(out);
  windows_.clear();
}

void Aggregator::flush(std::vector<BatchPtr>& out) {
  if (!holds_inputs()) return;
  ++stats_.early_flushes;
  finish(out);
}

}  // namespace graph_runner::plugins::agg
