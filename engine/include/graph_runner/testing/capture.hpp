#pragma once
/// @file testing/capture.hpp
/// SDK 2.0: what a plugin printed during the harness's calls. Part of graph_runner/testing.hpp
/// (include that); turned on by Options::capture_output.
/// @code
///   gt::SinkHarness h(describe_top_k(), {{"k", 3}}, {.capture_output = true});
///   h.open(); h.write(batch); h.finish();
///   CHECK(h.captured().out == "1. 42\n2. 17\n3. 5\n");
/// @endcode

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace graph_runner::testing {

/// What a plugin wrote during the harness's calls (its constructor included).
struct CapturedOutput {
  std::string out;                ///< to stdout: file descriptor 1, so printf, std::cout and write(1, ...) alike
  std::string err;                ///< to stderr: file descriptor 2
  std::vector<std::string> logs;  ///< through Context::log, as "warn: slow input" (kept with or without capture)
};

namespace detail {

// Redirects file descriptors 1 and 2 to temporary files while at least one captured call
// runs. The descriptors belong to the process, so calls that overlap in time (a thread-safe
// stage called from several threads) share one capture, and each receiver gets all of it.
class OutputCapture {
 public:
  // A captured call begins: `into` gets the text once the last overlapping call has ended.
  static void enter(CapturedOutput& into) {
    State& s = state();
    std::lock_guard lock(s.mutex);
    if (s.calls == 0) {
      std::fflush(stdout);
      std::fflush(stderr);
      s.out = redirect(1);
      try {
        s.err = redirect(2);
      } catch (...) {
        restore(s.out);
        throw;
      }
    }
    ++s.calls;
    if (std::find(s.receivers.begin(), s.receivers.end(), &into) == s.receivers.end()) s.receivers.push_back(&into);
  }
  static void leave() {
    State& s = state();
    std::lock_guard lock(s.mutex);
    if (--s.calls > 0) return;
    std::fflush(stdout);
    std::fflush(stderr);
    const std::string out = restore(s.out), err = restore(s.err);
    for (CapturedOutput* r : s.receivers) {
      r->out += out;
      r->err += err;
    }
    s.receivers.clear();
  }
  // A receiver about to be destroyed while calls of another harness may still run.
  static void forget(const CapturedOutput& into) {
    State& s = state();
    std::lock_guard lock(s.mutex);
    std::erase(s.receivers, &into);
  }
  // `what` copied under the lock the capture appends under.
  static CapturedOutput copy(const CapturedOutput& what) {
    std::lock_guard lock(state().mutex);
    return what;
  }

 private:
  struct Redirect {
    std::FILE* file = nullptr;
    int fd = -1, saved = -1;
  };
  struct State {
    std::mutex mutex;
    std::size_t calls = 0;
    Redirect out, err;
    std::vector<CapturedOutput*> receivers;
  };
  static State& state() {
    static State s;
    return s;
  }
  // A temporary file rather than a pipe: a plugin printing more than a pipe holds must not block.
  static Redirect redirect(int fd) {
    Redirect r{std::tmpfile(), fd, ::dup(fd)};
    if (!r.file || r.saved < 0 || ::dup2(::fileno(r.file), fd) < 0)
      throw std::runtime_error("graph_runner::testing: cannot capture file descriptor " + std::to_string(fd));
    return r;
  }
  static std::string restore(Redirect& r) {
    ::dup2(r.saved, r.fd);
    ::close(r.saved);
    std::string text;
    std::rewind(r.file);
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, r.file)) text.append(buf, n);
    std::fclose(r.file);
    r = {};
    return text;
  }
};

// Captures for the life of the object when `on`; the harness wraps every plugin call in one.
class CaptureScope {
 public:
  CaptureScope(bool on, CapturedOutput& into) : on_(on) {
    if (on_) OutputCapture::enter(into);
  }
  ~CaptureScope() {
    if (on_) OutputCapture::leave();
  }
  CaptureScope(const CaptureScope&) = delete;
  CaptureScope& operator=(const CaptureScope&) = delete;

 private:
  bool on_;
};

}  // namespace detail
}  // namespace graph_runner::testing
