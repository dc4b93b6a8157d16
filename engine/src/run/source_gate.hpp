#pragma once
// Backpressure and acknowledgement are one mechanism
// (docs/architecture.md#backpressure-and-the-acknowledgement-ticket): every source
// batch carries a Ticket. The ticket is kept alive by the batch and by every batch derived
// from it (Batch keepalive), so it is destroyed exactly when the last of them has been
// consumed, dropped or routed. Its destructor returns the source's limiter token and
// acknowledges the batch to the source.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include <oneapi/tbb/flow_graph.h>

#include "graph_runner/node.hpp"
#include "run/drop_log.hpp"
#include "run/run_state.hpp"

namespace graph_runner::engine {

class SourceGate {
 public:
  // `decrementer` is the source's limiter_node::decrementer().
  SourceGate(tbb::flow::receiver<tbb::flow::continue_msg>& decrementer, Source* source, const RunState& run,
             std::string node, std::string plugin)
      : decrementer_(&decrementer), source_(source), run_(run),
        ack_log_(run, std::move(node), std::move(plugin), ack_failed_wording) {}

  void issued() noexcept { issued_.fetch_add(1, std::memory_order_relaxed); }

  // The batch passed the limiter: from now on it holds one of the source's tokens.
  void admitted(std::size_t bytes) noexcept {
    raise_max(max_in_flight_, in_flight_.fetch_add(1, std::memory_order_relaxed) + 1);
    raise_max(max_in_flight_bytes_, in_flight_bytes_.fetch_add(bytes, std::memory_order_relaxed) + bytes);
  }

  void completed(std::uint64_t batch, bool admitted, std::size_t bytes) noexcept {
    if (!admitted) {  // never passed the limiter (dropped at cancellation): no token to return
      abandoned_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    in_flight_.fetch_sub(1, std::memory_order_relaxed);
    in_flight_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
    // Once the run is cancelled a batch may end without reaching its sinks (abandoned in
    // flight): no acknowledgement then, so an at-least-once source delivers it again.
    if (closed_.load(std::memory_order_acquire) || run_.cancelled()) {
      abandoned_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    acknowledged_.fetch_add(1, std::memory_order_relaxed);
    // A failed acknowledgement is counted and logged, but must not stop the token from returning.
    try {
      source_->acknowledge(batch);
    } catch (const std::exception& e) {
      ack_failed(batch, e.what());
    } catch (...) {
      ack_failed(batch, "an exception not derived from std::exception");
    }
    // Called from code, not through an edge: decrementer() edges are counted
    // (docs/architecture.md#limiter-decrementer-edges-are-counted).
    decrementer_->try_put(tbb::flow::continue_msg());
  }

  // After the run: tickets dropped later (a cancelled graph's buffers) are not acknowledged.
  // Logs the failed acknowledgements not reported yet.
  void close() noexcept {
    closed_.store(true, std::memory_order_release);
    try {
      ack_log_.flush();
    } catch (...) {  // RunOptions::log threw: nothing left to tell it with
    }
  }

  std::size_t in_flight() const noexcept { return in_flight_.load(std::memory_order_relaxed); }
  std::size_t max_in_flight() const noexcept { return max_in_flight_.load(std::memory_order_relaxed); }
  // The records' bytes in flight (values and their strings), now and at most.
  std::size_t in_flight_bytes() const noexcept { return in_flight_bytes_.load(std::memory_order_relaxed); }
  std::size_t max_in_flight_bytes() const noexcept { return max_in_flight_bytes_.load(std::memory_order_relaxed); }
  std::uint64_t issued_count() const noexcept { return issued_.load(std::memory_order_relaxed); }
  std::uint64_t acknowledged() const noexcept { return acknowledged_.load(std::memory_order_relaxed); }
  // Batches that ended without an acknowledgement: the run was cancelled first.
  std::uint64_t abandoned() const noexcept { return abandoned_.load(std::memory_order_relaxed); }
  // acknowledge() calls that threw (counted in acknowledged() too: the batch was delivered).
  std::uint64_t ack_failures() const noexcept { return ack_failures_.load(std::memory_order_relaxed); }

 private:
  static constexpr DropWording ack_failed_wording{"acknowledge() failed for", "batch(es)",
                                                  ", which the source may deliver again"};

  static void raise_max(std::atomic<std::size_t>& max, std::size_t now) noexcept {
    std::size_t seen = max.load(std::memory_order_relaxed);
    while (now > seen && !max.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
    }
  }

  // Logged at most once a second per source (DropLog), so a broker that is down for an hour
  // does not write a line per batch.
  void ack_failed(std::uint64_t batch, const char* what) noexcept {
    ack_failures_.fetch_add(1, std::memory_order_relaxed);
    try {
      ack_log_.dropped(1, "batch " + std::to_string(batch) + ": " + what);
    } catch (...) {  // RunOptions::log threw: the token must still return
    }
  }

  tbb::flow::receiver<tbb::flow::continue_msg>* decrementer_;
  Source* source_;
  const RunState& run_;
  std::atomic<bool> closed_{false};
  std::atomic<std::size_t> in_flight_{0}, max_in_flight_{0}, in_flight_bytes_{0}, max_in_flight_bytes_{0};
  std::atomic<std::uint64_t> issued_{0}, acknowledged_{0}, abandoned_{0}, ack_failures_{0};
  DropLog ack_log_;
};

class Ticket {
 public:
  Ticket(std::shared_ptr<SourceGate> gate, std::uint64_t batch) : gate_(std::move(gate)), batch_(batch) {
    gate_->issued();
  }
  Ticket(const Ticket&) = delete;
  Ticket& operator=(const Ticket&) = delete;
  ~Ticket() { gate_->completed(batch_, admitted_, bytes_); }

  // The size of the source batch (set before it is admitted).
  void set_bytes(std::size_t bytes) noexcept { bytes_ = bytes; }
  void admit() noexcept {
    admitted_ = true;
    gate_->admitted(bytes_);
  }

 private:
  std::shared_ptr<SourceGate> gate_;
  std::uint64_t batch_;
  std::size_t bytes_ = 0;
  bool admitted_ = false;  // written once by the serial unbox node before the batch is shared
};

}  // namespace graph_runner::engine
