#include "graphviz.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

extern char** environ;

namespace graph_runner::cli {
namespace {

// Writes all of `text` to `fd`. SIGPIPE is blocked on this thread meanwhile (and a pending
// one taken back), so a `dot` that exits early shows as its exit status, not as our death,
// and the process's own SIGPIPE handling (a sink writing to `| head`) is left alone.
void write_all(int fd, const std::string& text) {
  sigset_t pipe_signal, previous;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &previous);
  std::size_t written = 0;
  bool broken = false;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      broken = n < 0 && errno == EPIPE;
      break;
    }
    written += static_cast<std::size_t>(n);
  }
  if (broken && !sigismember(&previous, SIGPIPE)) {
    const timespec now{0, 0};
    while (sigtimedwait(&pipe_signal, nullptr, &now) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

}  // namespace

GraphvizOutcome render_with_graphviz(const std::string& dot_text, const std::string& format, const std::string& file) {
  GraphvizOutcome outcome;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    outcome.error = std::string("cannot start Graphviz: ") + std::strerror(errno);
    return outcome;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO);
  std::string program = "dot", type = "-T" + format, flag = "-o", target = file;
  char* argv[] = {program.data(), type.data(), flag.data(), target.data(), nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, "dot", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[0]);
  if (spawned != 0) {
    ::close(fds[1]);
    outcome.not_installed = spawned == ENOENT;
    outcome.error = spawned == ENOENT ? "Graphviz's `dot` program is not on PATH"
                                      : std::string("cannot run Graphviz's `dot`: ") + std::strerror(spawned);
    return outcome;
  }
  write_all(fds[1], dot_text);
  ::close(fds[1]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  outcome.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!outcome.ok) outcome.error = "`dot -T" + format + " -o " + file + "` failed (see its message above)";
  return outcome;
}

std::optional<std::string> render_to_text(const std::string& dot_text, const std::string& format,
                                          GraphvizOutcome& outcome) {
  const char* tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/graph-runner-XXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd < 0) {
    outcome = {false, false, "cannot create a temporary file in " + path.substr(0, path.rfind('/')) + ": " +
                                 std::strerror(errno)};
    return std::nullopt;
  }
  ::close(fd);
  outcome = render_with_graphviz(dot_text, format, path);
  std::optional<std::string> text;
  if (outcome.ok) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (in) text = content.str();
    else outcome = {false, false, "cannot read what `dot` wrote to " + path};
  }
  ::unlink(path.c_str());
  return text;
}

}  // namespace graph_runner::cli
