#pragma once
// on_error = "drop" is counted in the summary and logged, but at most once per second per
// node: a stage dropping a million records must not write a million lines. Each line says
// how many records were dropped since the previous one and the last error; flush() reports
// the rest when the node closes. SourceGate logs failed acknowledgements the same way, with
// other words (DropWording).
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "run/run_state.hpp"

namespace graph_runner::engine {

// A line reads "<what> N <unit>[ since the last report (T in all)]<why> (plugin 'p');
// last error: E".
struct DropWording {
  std::string_view what, unit, why;
};
inline constexpr DropWording on_error_drop{"dropped", "record(s)", " under on_error = \"drop\""};

class DropLog {
 public:
  using Clock = std::chrono::steady_clock;

  DropLog(const RunState& run, std::string node, std::string plugin, DropWording wording = on_error_drop,
          Clock::duration interval = std::chrono::seconds(1))
      : run_(run), node_(std::move(node)), plugin_(std::move(plugin)), wording_(wording), interval_(interval) {}

  // `records` were dropped because of `error`.
  void dropped(std::uint64_t records, std::string_view error);
  // Logs the drops not reported yet.
  void flush();

 private:
  void report(Clock::time_point now);  // with mutex_ held

  const RunState& run_;
  const std::string node_, plugin_;
  const DropWording wording_;
  const Clock::duration interval_;
  std::mutex mutex_;
  std::optional<Clock::time_point> last_line_;
  std::uint64_t unreported_ = 0, total_ = 0;
  std::string last_error_;
};

}  // namespace graph_runner::engine
