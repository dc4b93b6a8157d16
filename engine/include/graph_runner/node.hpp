#pragma once
/// @file node.hpp
/// The three kinds of node a plugin implements: Source, Stage and Sink.
///
/// Calls into one instance are serial unless the plugin declares itself thread-safe
/// (PluginDescriptor::thread_safe); with `concurrency = N` a non-thread-safe plugin gets
/// N instances, each called serially. An exception thrown from any call, and a record a
/// stage rejects (Emitter::reject), are handled by the node's `on_error` policy.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "graph_runner/batch.hpp"
#include "graph_runner/context.hpp"
#include "graph_runner/export.hpp"

namespace graph_runner {

/// Produces records. The engine calls read() repeatedly on one thread at a time.
class GRAPH_RUNNER_API Source {
 public:
  virtual ~Source();
  virtual void open() {}
  /// Appends up to `out.capacity()` records. Return false at end of stream (records
  /// appended in that call are still sent). May return with fewer records, or none,
  /// when input is slow: waiting longer than Context::linger_ms() delays the batch.
  virtual bool read(BatchBuilder& out) = 0;
  /// Called from another thread when the run stops: make a blocked read() return.
  virtual void stop() {}
  /// Every record of source batch `batch` (see Origin::batch) has been consumed by the
  /// sinks, dropped or routed: a source that can commit or acknowledge input does so
  /// here. Called from any thread, possibly out of order.
  virtual void acknowledge(std::uint64_t batch) { (void)batch; }
  virtual void close() {}
};

/// Where a stage sends its output, and where it reports bad records. Valid only during the
/// call it was given to (process, finish, tick) and on that call's thread.
///
/// Neither emit() nor reject() throws: errors are values. What goes wrong is recorded and
/// acted on once the call returns, so a plugin's own `catch (const std::exception&)` around
/// its loop cannot hide a failure. Breaking this contract fails the run whatever the node's
/// `on_error` says, with an error naming the node, and the call's output is discarded:
/// emitting on a port the node does not have, rejecting a row past the end of its batch,
/// or calling emit()/reject() after the call returned or from a thread of the plugin's own.
class GRAPH_RUNNER_API Emitter {
 public:
  virtual ~Emitter();
  /// Sends a batch on the default port.
  void emit(BatchPtr batch) { emit(Port{0}, std::move(batch)); }
  /// Sends a batch on a declared port (see Context::port). What a call emits is sent on
  /// only if the call succeeds (see reject()).
  virtual void emit(Port port, BatchPtr batch) = 0;
  /// Reports that record `row` of `batch` failed, and returns: go on with the next record.
  /// After the call returns, the node's `on_error` policy decides:
  /// - `fail` (the default): the run fails with an error naming the node, the record
  ///   (source, batch and record number) and `error`; the call's output is discarded.
  /// - `retry`: the call failed, as if it had thrown: its output is discarded and the same
  ///   call is made again (see attempt()); when the retries are used up, the run fails.
  /// - `drop`: the record is counted as dropped and logged; the rest of the output is sent.
  /// - `route`: the record goes to port `errors` with the fields `error` and `error_node`
  ///   added; the rest of the output is sent.
  /// So a stage emits the records it kept and rejects the others, whatever the policy:
  /// @code
  ///   for (std::uint32_t i = 0; i < in->size(); ++i)
  ///     if (valid(*in, i)) kept.push_back(i); else out.reject(*in, i, "no id");
  ///   out.emit(in->select(kept));
  /// @endcode
  /// `row` is a record index of `batch` (0 .. size() - 1, through its selection).
  virtual void reject(const Batch& batch, std::size_t row, std::string_view error) = 0;
  /// SDK 1.2: which attempt of this call this is: 0 for the first, n for the n-th retry
  /// under `on_error = "retry"` (the engine repeats the same call with the same input). A
  /// plugin whose failures depend on the attempt (a test tool drawing again) asks it.
  virtual unsigned attempt() const noexcept { return 0; }
  /// The input batch of this call, to change and emit: the batch itself when nothing else
  /// holds it and the engine will not need it again (one consumer, no fan-out, `on_error`
  /// is `fail` or `drop`), otherwise a copy sharing every column, whose columns are copied
  /// only when written (Batch::column_for_write). Either way no other consumer sees the
  /// change. A call that took its input is not retried (TransientError applies `on_error`).
  virtual std::shared_ptr<Batch> take(BatchPtr in);
};

/// Transforms batches: 0..N output batches per input batch, on any declared port.
class GRAPH_RUNNER_API Stage {
 public:
  virtual ~Stage();
  /// SDK 2.0: `in` by value: hand it to Emitter::take() to change it in place, or emit it
  /// (or a select() of it) unchanged.
  virtual void process(BatchPtr in, Emitter& out) = 0;
  /// End of stream: every input has been processed. Emit what is still held (a
  /// batching stage's partial batch).
  virtual void finish(Emitter& out) { (void)out; }

  /// SDK 1.1: how often the engine calls tick(); zero (the default) means never. Asked
  /// once, right after construction. For a stage that must act on time, not only when
  /// input arrives (a batching stage's timeout):
  /// @code
  ///   std::chrono::milliseconds tick_interval() const override { return std::chrono::milliseconds(50); }
  ///   void tick(Emitter& out) override { if (expired()) out.emit(take_partial()); }
  /// @endcode
  virtual std::chrono::milliseconds tick_interval() const { return std::chrono::milliseconds(0); }
  /// SDK 1.1: called about every tick_interval() from an engine timer while the run
  /// lasts, never at the same time as process() or finish() on this instance (a
  /// thread-safe plugin's single instance: never at the same time as another tick()).
  /// Emits and rejects like process(); an exception is handled by `on_error`. Ticks stop
  /// before finish() at the end of the stream, and when the run fails or is cancelled.
  virtual void tick(Emitter& out) { (void)out; }

  /// SDK 1.2: emit now what this stage holds, without ending the stream. A held record
  /// keeps its source batch unacknowledged, so a stage that holds records can leave its
  /// sources waiting for max_in_flight to free up while nothing else can run. When the
  /// graph goes idle like that, the engine calls flush() on every stage (never at the same
  /// time as another call on this instance). A stage that holds records implements it as
  /// finish() does; one that does not, and so leaves the sources waiting, fails the run
  /// with a message naming the waiting sources.
  virtual void flush(Emitter& out) { (void)out; }
};

/// Consumes batches.
///
/// The calls, per instance: open(); write() per batch; finish() once if the stream ended;
/// then flush() and close() once each, however the run ended.
/// - finish() (SDK 2.0) is the end of the stream: called once, after the last write() to
///   this instance, when every source has ended (or stopped on Ctrl-C, `--timeout` or a
///   stop, and what was in flight drained) and every stage's finish() output was written.
///   Never after a failed or cancelled run (a failure, a second signal, the grace period
///   over), nor when the run did not start: a sink that prints or sends one result at the
///   end (a count, a histogram) does it here, so a failed run sends no partial result. An
///   exception from finish() fails the run, whatever `on_error` says (`retry` and a
///   TransientError retry it first, like any call).
/// - flush() then close() are the teardown: called once each, back to back, after every
///   run that opened the sink (succeeded, failed, cancelled or interrupted), also after
///   finish(). An exception from either fails the run.
///
/// Delivery contract: when write() returns, the batch's records are delivered: written to
/// the operating system (a file sink), or answered by the server (a network sink). The engine
/// acknowledges a source batch as soon as the last batch derived from it is written, so a
/// sink must not keep records in a buffer of its own past write(). A failure is an exception
/// from write() itself, handled by the node's `on_error` for that batch; flush() and close()
/// have nothing of an acknowledged batch left to fail on.
/// @code
///   void write(const Batch& batch) override {
///     buffer_.clear();
///     for (std::size_t row = 0; row < batch.size(); ++row) encode(batch, row, buffer_);
///     write_all(fd_, buffer_);  // one system call per batch; throws on failure
///   }
/// @endcode
class GRAPH_RUNNER_API Sink {
 public:
  virtual ~Sink();
  virtual void open() {}
  virtual void write(const Batch& batch) = 0;
  virtual void flush() {}
  virtual void close() {}
  /// SDK 2.0: the end of the stream (see above): emit the result of what was written.
  /// @code
  ///   void finish() override { std::fputs(histogram_.render().c_str(), stdout); }
  /// @endcode
  virtual void finish() {}
};

/// Record-at-a-time filter helper. `Derived` provides
/// `bool keep(const Batch& batch, std::size_t i)` (`i` a record index: read fields with
/// batch.get(i, f), or a column at batch.row(i)); the loop is inlined, not a virtual
/// call per record. A record whose `keep` throws a std::exception is passed to
/// Emitter::reject and the loop goes on; the node's `on_error` applies once process()
/// returns (under `drop` and `route` the kept records are sent, under `fail` and `retry`
/// the call fails). Another exception fails the whole call.
template <class Derived>
class RecordFilter : public Stage {
 public:
  void process(BatchPtr in, Emitter& out) final {
    std::vector<std::uint32_t> kept;
    kept.reserve(in->size());
    auto& self = static_cast<Derived&>(*this);
    for (std::size_t row = 0; row < in->size(); ++row) {
      try {
        if (self.keep(*in, row)) kept.push_back(static_cast<std::uint32_t>(row));
      } catch (const std::exception& e) {
        out.reject(*in, row, e.what());
      }
    }
    if (kept.size() == in->size()) out.emit(std::move(in));
    else if (!kept.empty()) out.emit(in->select(kept));
  }
};

}  // namespace graph_runner
