#pragma once
// Graphviz's `dot` program, run on DOT text: `graph-runner dot -o FILE.svg` and the live page
// of `run --ui` draw the same layout through it.
#include <optional>
#include <string>

namespace graph_runner::cli {

struct GraphvizOutcome {
  bool ok = false;
  bool not_installed = false;  // `dot` is not on PATH
  std::string error;           // what went wrong, when !ok
};

// Pipes `dot_text` into `dot -TFORMAT -o FILE` (no shell: any file name is safe) and waits
// for it. `dot`'s own messages go to our stderr.
GraphvizOutcome render_with_graphviz(const std::string& dot_text, const std::string& format, const std::string& file);

// The same, with the result returned (through a private temporary file): SVG text for the
// live page. nullopt and `outcome` saying why when it could not be made.
std::optional<std::string> render_to_text(const std::string& dot_text, const std::string& format,
                                          GraphvizOutcome& outcome);

}  // namespace graph_runner::cli
