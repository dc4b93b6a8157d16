#pragma once
// SIGINT/SIGTERM during `run`: the first asks the engine to stop gracefully (sources stop,
// batches drain), the second to cancel at once. The handler only stores to lock-free
// atomics, the one thing that is async-signal-safe; the engine's watchdog polls them.
#include <atomic>

namespace graph_runner::cli {

class SignalGuard {
 public:
  // Installs the handlers; the previous ones come back on destruction.
  SignalGuard();
  ~SignalGuard();
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

  const std::atomic<bool>& stop_flag() const noexcept;
  const std::atomic<bool>& cancel_flag() const noexcept;
  // The first signal received, 0 if none.
  int signal() const noexcept;
};

}  // namespace graph_runner::cli
