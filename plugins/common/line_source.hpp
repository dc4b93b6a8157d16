#pragma once
// What the line-based file sources (lines, csv, jsonl) share about bad records:
// the `max_record_bytes` parameter, and handing a bad record to the node's `on_error`
// without losing the records read before it in the same batch.
#include <cstdint>
#include <exception>
#include <string_view>
#include <utility>

#include "block_reader.hpp"
#include "graph_runner/sdk.hpp"

namespace graph_runner::plugins {

/// The `max_record_bytes` parameter, the same for every line-based source.
inline ParamSpec max_record_bytes_param() {
  return ParamSpec::integer("max_record_bytes",
                            "longest record (a line, without its newline) in bytes, default 1 MiB; a longer one is a "
                            "bad record for on_error, reported with its size and line and skipped to its newline, "
                            "without ever being held whole")
      .with_default(static_cast<std::int64_t>(default_max_record_bytes))
      .at_least(1);
}

inline std::size_t max_record_bytes_of(const Context& c) {
  return static_cast<std::size_t>(c.params().get_int("max_record_bytes"));
}

/// Hands bad records to Context::reject_input. Under on_error = "fail" that throws; when
/// the batch being built already holds records, they go out first: the failure is kept and
/// thrown by the next read(), which calls rethrow() first.
class BadRecords {
 public:
  /// True: rejected (drop, route), read on. False: the batch ends here; the failure follows.
  /// Throws when the batch has no records yet.
  bool reject(Context& ctx, std::string_view input, std::string_view error, bool batch_has_records) {
    try {
      ctx.reject_input(input, error);
      return true;
    } catch (...) {
      if (!batch_has_records) throw;
      failure_ = std::current_exception();
      return false;
    }
  }
  bool reject(Context& ctx, const OversizedRecord& r, bool batch_has_records) {
    return reject(ctx, r.head, r.message(), batch_has_records);
  }
  void rethrow() {
    if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
  }

 private:
  std::exception_ptr failure_;
};

}  // namespace graph_runner::plugins
