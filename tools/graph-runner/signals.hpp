#pragma once
// SIGINT/SIGTERM: main installs the handlers before anything else, so a signal at any moment
// (while the command line is parsed or plugins are scanned, not only during the run) is a
// stop request, never death by signal. During `run` the first asks the engine to stop
// gracefully (sources stop, batches drain), the second to cancel at once; a command that
// ends after a signal exits 128 + its number. The handler only stores to lock-free atomics,
// the one thing that is async-signal-safe; the engine's watchdog polls them.
#include <atomic>

namespace graph_runner::cli {

// Installs the handlers for the rest of the process, and unblocks the two signals in case
// the parent started us with them blocked (a pending one is then seen at once).
void install_signal_handlers();

const std::atomic<bool>& stop_flag() noexcept;
const std::atomic<bool>& cancel_flag() noexcept;
// The first signal received, 0 if none.
int received_signal() noexcept;
// A signal that only ended a wait after the work was done (run --ui-linger): forgotten, so
// the command exits with its own outcome, not as stopped; a later signal is a first one.
void forget_signals() noexcept;

}  // namespace graph_runner::cli
