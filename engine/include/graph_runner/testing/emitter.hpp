#pragma once
/// @file testing/emitter.hpp
/// The Emitter a stage gets in the harness, holding it to the engine's rules (node.hpp): it
/// works only during its call, on that call's thread; a call that throws sends nothing; a
/// breach of the contract is an error whatever `on_error` says. Part of graph_runner/testing.hpp.

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "graph_runner/detail/emitter_rules.hpp"
#include "graph_runner/sdk.hpp"
#include "graph_runner/testing/context.hpp"

namespace graph_runner::testing {

/// A record a stage rejected: a one-record batch with its fields, its row in the input
/// batch, and the error text.
struct Rejection {
  BatchPtr record;
  std::size_t row = 0;
  std::string error;
  Value get(std::string_view name) const { return record->get(0, field(name)); }
};

/// What a stage emitted, by port name, and what it rejected, over the calls that succeeded.
/// Rejections are listed with the call's output, which is what the engine sends under
/// `on_error = "drop"` or `"route"` (under `"fail"` a rejection fails the run).
struct StageOutput {
  std::map<std::string, std::vector<BatchPtr>, std::less<>> ports;
  std::vector<Rejection> rejected;
  /// The batches emitted on `port` (none: an empty list). Empty batches are not sent, as in a graph.
  const std::vector<BatchPtr>& out(std::string_view port = "out") const {
    static const std::vector<BatchPtr> none;
    auto it = ports.find(port);
    return it == ports.end() ? none : it->second;
  }
};

/// SDK 2.0: thrown by a harness call whose plugin broke the Emitter contract: emitted on a port
/// the node does not have, rejected a row past the end of its batch, or used the Emitter
/// outside its call (after the call returned, or from a thread of its own). In a graph the run
/// fails with the same message whatever the node's `on_error` says.
class ContractViolation : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

/// The Emitter of one stage in the harness. Calls go through run(); safe for concurrent calls.
class RecordingEmitter final : public Emitter {
 public:
  explicit RecordingEmitter(const TestContext& c) : context_(c) {}
  using Emitter::emit;
  void emit(Port port, BatchPtr batch) override {
    Call* call = current();
    if (!call) return stray("emit");
    if (port.index >= context_.ports().size())
      return call->violated(graph_runner::detail::emitted_on_missing_port(port.index, context_.node_name()));
    if (batch && !batch->empty()) call->output.ports[context_.ports()[port.index]].push_back(std::move(batch));
  }
  void reject(const Batch& batch, std::size_t row, std::string_view error) override {
    Call* call = current();
    if (!call) return stray("reject");
    if (row >= batch.size()) return call->violated(graph_runner::detail::rejected_past_end(row, batch.size()));
    const auto r = static_cast<std::uint32_t>(row);
    call->output.rejected.push_back(Rejection{batch.select({&r, 1}), row, std::string(error)});
  }
  /// What attempt() answers from now on (0 until set): a retry as under `on_error = "retry"`.
  void set_attempt(unsigned attempt) noexcept { attempt_ = attempt; }
  unsigned attempt() const noexcept override { return attempt_; }

  /// Makes `call(*this)` as the engine makes a plugin call: what it emits and rejects is kept
  /// only if it returns; an exception propagates and its output is dropped. A breach of the
  /// contract during the call, or outside any call since the last one, throws ContractViolation.
  template <class F>
  void run(F&& call) {
    throw_stray();
    Call scope(*this);
    try {
      call(static_cast<Emitter&>(*this));
    } catch (...) {  // the output goes with `scope`; a breach of the contract comes first, as in the engine
      if (!scope.violation.empty()) throw ContractViolation(prefix() + scope.violation);
      throw_stray();
      throw;
    }
    if (!scope.violation.empty()) throw ContractViolation(prefix() + scope.violation);
    throw_stray();
    std::lock_guard lock(mutex_);
    for (auto& [port, batches] : scope.output.ports)
      for (auto& b : batches) output_.ports[port].push_back(std::move(b));
    for (auto& r : scope.output.rejected) output_.rejected.push_back(std::move(r));
  }

  /// What the successful calls emitted and rejected; read it once the calls are done.
  /// Throws ContractViolation for a use of the Emitter outside a call since the last one.
  const StageOutput& output() const {
    throw_stray();
    return output_;
  }

 private:
  // One call running on this thread: output of this emitter's calls goes here while it lives.
  struct Call {
    explicit Call(RecordingEmitter& e) : emitter(&e), outer(active) { active = this; }
    ~Call() { active = outer; }
    Call(const Call&) = delete;
    Call& operator=(const Call&) = delete;
    void violated(std::string what) {
      if (violation.empty()) violation = std::move(what);
    }
    RecordingEmitter* emitter;
    Call* outer;
    StageOutput output;
    std::string violation;
    inline static thread_local Call* active = nullptr;
  };

  Call* current() const noexcept {
    for (Call* c = Call::active; c; c = c->outer)
      if (c->emitter == this) return c;
    return nullptr;
  }
  std::string prefix() const { return graph_runner::detail::node_prefix(context_.node_name(), context_.plugin_name()); }
  void stray(const char* what) {
    std::lock_guard lock(mutex_);
    if (stray_.empty()) stray_ = prefix() + graph_runner::detail::emitter_used_outside_call(what);
  }
  void throw_stray() const {
    std::lock_guard lock(mutex_);
    if (!stray_.empty()) throw ContractViolation(stray_);
  }

  const TestContext& context_;
  std::atomic<unsigned> attempt_{0};
  mutable std::mutex mutex_;
  StageOutput output_;
  std::string stray_;  // the first use outside a call: reported from then on
};

}  // namespace graph_runner::testing
