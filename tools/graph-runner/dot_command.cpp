// `graph-runner dot GRAPH [-o FILE] [--with-metrics M.json]`: the checked graph as Graphviz
// DOT (dot_text.cpp), or rendered to SVG, PNG or PDF through Graphviz's `dot` program when
// FILE's name says so. Drawn from the checked graph, so what it shows (ports, effective
// concurrency) is what `run` would build.
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "commands.hpp"
#include "dot_text.hpp"
#include "graphviz.hpp"

namespace graph_runner::cli {
namespace {

struct DotArgs {
  GraphArgs graph;
  std::string output;        // empty: stdout
  std::string metrics_file;  // --with-metrics
};

std::string extension(const std::string& file) {
  const auto dot = file.rfind('.');
  const auto slash = file.rfind('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string ext = file.substr(dot + 1);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

int render(const std::string& dot_text, const std::string& format, const std::string& file) {
  const GraphvizOutcome outcome = render_with_graphviz(dot_text, format, file);
  if (outcome.ok) return exit_ok;
  if (outcome.not_installed)
    std::cerr << "graph-runner: cannot write '" << file << "': rendering " << format
              << " needs Graphviz's `dot` program, which is not on PATH.\n"
                 "  hint: install graphviz (apt-get install graphviz), or write DOT text with -o FILE.dot\n";
  else
    std::cerr << "graph-runner: " << outcome.error << '\n';
  return exit_run_failed;
}

int write_text(const std::string& text, const std::string& file) {
  std::ofstream out(file, std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "graph-runner: cannot write '" << file << "': " << std::strerror(errno) << '\n';
    return exit_run_failed;
  }
  return exit_ok;
}

int dot(const DotArgs& args) {
  // Usage errors first, before the graph is loaded.
  const std::string ext = args.output.empty() ? "dot" : extension(args.output);
  const bool rendered = ext == "svg" || ext == "png" || ext == "pdf";
  if (!rendered && ext != "dot" && ext != "gv") {
    std::cerr << "graph-runner: cannot tell the format of '" << args.output
              << "' from its name: end it in .dot or .gv (DOT text), .svg, .png or .pdf (rendered by Graphviz)\n";
    return exit_bad_graph;
  }
  std::optional<RunFigures> figures;
  if (!args.metrics_file.empty()) {
    std::string error;
    figures = read_run_figures(args.metrics_file, error);
    if (!figures) {
      std::cerr << "graph-runner: --with-metrics: " << error << '\n';
      return exit_bad_graph;
    }
  }

  engine::PluginRegistry registry;
  auto graph = load_checked_graph(args.graph, registry);
  if (!graph) return exit_bad_graph;
  if (figures)
    for (const auto& n : graph->nodes)
      if (!figures->nodes.count(n.spec->name))
        std::cerr << "graph-runner: warning: " << args.metrics_file << " has no figures for node '" << n.spec->name
                  << "' (written by a run of another graph?)\n";

  const std::string text = graph_to_dot(*graph, figures ? &*figures : nullptr);
  if (args.output.empty()) {
    std::cout << text;
    return exit_ok;
  }
  return rendered ? render(text, ext, args.output) : write_text(text, args.output);
}

}  // namespace

Subcommand add_dot_command(CLI::App& parent) {
  auto args = std::make_shared<DotArgs>();
  CLI::App* app = parent.add_subcommand("dot", "Draw a graph: Graphviz DOT, or SVG/PNG/PDF rendered by Graphviz");
  add_graph_args(*app, args->graph);
  app->add_option("-o,--output", args->output,
                  "Write to FILE instead of stdout: .dot/.gv is DOT text; .svg, .png and .pdf are rendered by "
                  "Graphviz's `dot` program")
      ->type_name("FILE");
  app->add_option("--with-metrics", args->metrics_file,
                  "Annotate with a run's figures: records per edge, busy % per node (a file written by "
                  "`run --metrics-json`)")
      ->type_name("FILE");
  app->footer(
      "Sources are blue arrows, stages grey boxes, sinks green cylinders; labels show plugin and concurrency.\n\n"
      "Examples:\n"
      "  graph-runner dot graphs/fan-out-fan-in.toml | dot -Tsvg > fan-out.svg\n"
      "  graph-runner dot graphs/fan-out-fan-in.toml -o fan-out.png\n"
      "  graph-runner run graphs/quickstart.toml --metrics-json m.json\n"
      "  graph-runner dot graphs/quickstart.toml --with-metrics m.json -o quickstart.svg");
  return {app, [args] { return dot(*args); }};
}

}  // namespace graph_runner::cli
