#include "signals.hpp"

#include <csignal>

namespace graph_runner::cli {
namespace {

static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free,
              "signal handlers may only touch lock-free atomics");

std::atomic<bool> g_stop{false};
std::atomic<bool> g_cancel{false};
std::atomic<int> g_signal{0};

struct sigaction g_old_int, g_old_term;

extern "C" void on_signal(int sig) {
  int none = 0;
  // The first signal decides the exit code (130 or 143); any later one cancels.
  if (g_signal.compare_exchange_strong(none, sig)) g_stop.store(true);
  else g_cancel.store(true);
}

}  // namespace

SignalGuard::SignalGuard() {
  g_stop.store(false);
  g_cancel.store(false);
  g_signal.store(0);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, &g_old_int);
  sigaction(SIGTERM, &sa, &g_old_term);
}

SignalGuard::~SignalGuard() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

const std::atomic<bool>& SignalGuard::stop_flag() const noexcept { return g_stop; }
const std::atomic<bool>& SignalGuard::cancel_flag() const noexcept { return g_cancel; }
int SignalGuard::signal() const noexcept { return g_signal.load(); }

}  // namespace graph_runner::cli
