// `graph-runner dot GRAPH [-o FILE]`: the checked graph as Graphviz DOT, or as SVG through
// Graphviz's `dot` when FILE ends in .svg. Drawn from the checked graph, so what it shows
// (ports, effective concurrency) is what `run` would build.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "commands.hpp"

extern char** environ;

namespace graph_runner::cli {
namespace {

struct DotArgs {
  GraphArgs graph;
  std::string output;  // empty: stdout
};

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

std::string node_label(const engine::CheckedNode& n) {
  std::string label = n.spec->name + "\\n" + n.spec->plugin;
  if (n.spec->kind != NodeKind::source && n.concurrency != 1)
    label += n.concurrency == 0 ? " x unlimited" : " x" + std::to_string(n.concurrency);
  if (n.spec->kind == NodeKind::source && n.rate > 0) {
    std::ostringstream rate;
    rate << n.rate;
    label += "\\n" + rate.str() + " records/s";
  }
  return label;
}

std::string to_dot(const engine::CheckedGraph& g) {
  std::ostringstream out;
  const std::string& name = g.spec.graph.name.empty() ? g.spec.file : g.spec.graph.name;
  out << "digraph " << quoted(name) << " {\n"
      << "  rankdir=LR;\n"
      << "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11];\n"
      << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  for (const auto& n : g.nodes) {
    const char* fill = n.spec->kind == NodeKind::source ? "#dbeafe" : n.spec->kind == NodeKind::sink ? "#dcfce7" : "#f5f5f5";
    // The label is already escaped for DOT (its "\n" are DOT line breaks); names are [a-z0-9_].
    out << "  " << quoted(n.spec->name) << " [label=\"" << node_label(n) << "\", fillcolor=\"" << fill << "\"];\n";
  }
  for (const auto& e : g.edges) {
    const std::string& port = g.nodes[e.from].ports[e.port];
    out << "  " << quoted(g.nodes[e.from].spec->name) << " -> " << quoted(g.nodes[e.to].spec->name);
    if (port == "errors") out << " [label=\"errors\", style=dashed, color=\"#b91c1c\"]";
    else if (port != "out") out << " [label=" << quoted(port) << "]";
    out << ";\n";
  }
  out << "}\n";
  return out.str();
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Pipes `dot_text` into `dot -Tsvg -o FILE`; no shell, so any file name is safe.
int render_svg(const std::string& dot_text, const std::string& file) {
  int fds[2];
  if (pipe(fds) != 0) return exit_run_failed;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  std::string program = "dot", format = "-Tsvg", flag = "-o";
  std::string target = file;
  char* argv[] = {program.data(), format.data(), flag.data(), target.data(), nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, "dot", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[0]);
  if (spawned != 0) {
    close(fds[1]);
    std::cerr << "graph-runner: cannot run Graphviz's `dot` (" << std::strerror(spawned)
              << "); install graphviz, or write DOT with -o FILE.dot\n";
    return exit_run_failed;
  }
  std::signal(SIGPIPE, SIG_IGN);  // `dot` may exit early; its status says why, not a signal
  std::size_t written = 0;
  while (written < dot_text.size()) {
    const ssize_t n = write(fds[1], dot_text.data() + written, dot_text.size() - written);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  close(fds[1]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::cerr << "graph-runner: `dot -Tsvg` failed\n";
    return exit_run_failed;
  }
  return exit_ok;
}

int dot(const DotArgs& args) {
  engine::PluginRegistry registry;
  auto graph = load_checked_graph(args.graph, registry);
  if (!graph) return exit_bad_graph;
  const std::string text = to_dot(*graph);
  if (args.output.empty()) {
    std::cout << text;
    return exit_ok;
  }
  if (ends_with(args.output, ".svg")) return render_svg(text, args.output);
  std::ofstream file(args.output, std::ios::trunc);
  file << text;
  file.close();
  if (!file) {
    std::cerr << "graph-runner: cannot write '" << args.output << "': " << std::strerror(errno) << '\n';
    return exit_run_failed;
  }
  return exit_ok;
}

}  // namespace

Subcommand add_dot_command(CLI::App& parent) {
  auto args = std::make_shared<DotArgs>();
  CLI::App* app = parent.add_subcommand("dot", "Draw a graph: Graphviz DOT on stdout, or a .dot or .svg file");
  add_graph_args(*app, args->graph);
  app->add_option("-o,--output", args->output, "Write to FILE; a .svg name renders with Graphviz's `dot`")
      ->type_name("FILE");
  app->footer("Example: graph-runner dot graphs/fan-out-fan-in.toml -o fan-out.svg");
  return {app, [args] { return dot(*args); }};
}

}  // namespace graph_runner::cli
