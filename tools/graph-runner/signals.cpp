#include "signals.hpp"

#include <pthread.h>

#include <csignal>

namespace graph_runner::cli {
namespace {

static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free,
              "signal handlers may only touch lock-free atomics");

std::atomic<bool> g_stop{false};
std::atomic<bool> g_cancel{false};
std::atomic<int> g_signal{0};

extern "C" void on_signal(int sig) {
  int none = 0;
  // The first signal decides the exit code (130 or 143); any later one cancels.
  if (g_signal.compare_exchange_strong(none, sig)) g_stop.store(true);
  else g_cancel.store(true);
}

}  // namespace

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigset_t both;
  sigemptyset(&both);
  sigaddset(&both, SIGINT);
  sigaddset(&both, SIGTERM);
  pthread_sigmask(SIG_UNBLOCK, &both, nullptr);  // threads started later inherit this mask
}

const std::atomic<bool>& stop_flag() noexcept { return g_stop; }
const std::atomic<bool>& cancel_flag() noexcept { return g_cancel; }
int received_signal() noexcept { return g_signal.load(); }

void forget_signals() noexcept {
  g_stop.store(false);
  g_cancel.store(false);
  g_signal.store(0);
}

}  // namespace graph_runner::cli
