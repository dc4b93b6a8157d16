#pragma once
// Errors are values with a position: every problem in a graph file is collected as a
// Diagnostic and reported together as `FILE:LINE:COL: error: MESSAGE`. Warnings (a deprecated
// plugin name) are kept apart: they never stop a graph from loading.
#include <string>
#include <vector>

namespace graph_runner::engine {

struct SourcePos {
  std::string file;  // as given on the command line ("<command line>" for --set)
  int line = 0;      // 1-based; 0 = unknown
  int column = 0;    // 1-based; 0 = unknown
};

struct Diagnostic {
  SourcePos pos;
  std::string message;
  std::string hint;  // optional, printed as "  hint: ..." on the next line
};

class Diagnostics {
 public:
  void error(SourcePos pos, std::string message, std::string hint = {});
  void warning(SourcePos pos, std::string message, std::string hint = {});
  // Errors only: a graph with warnings alone is fine.
  bool empty() const noexcept { return errors_.empty(); }
  std::size_t size() const noexcept { return errors_.size(); }
  const std::vector<Diagnostic>& all() const noexcept { return errors_; }
  const std::vector<Diagnostic>& warnings() const noexcept { return warnings_; }
  // Sorted by file, line, column; one "FILE:LINE:COL: error: MESSAGE" line each, warnings
  // ("FILE:LINE:COL: warning: MESSAGE") in their place among them.
  std::string format() const;
  std::string format_warnings() const;

 private:
  std::vector<Diagnostic> errors_, warnings_;
};

// "did you mean 'x'?" for the closest candidate within a small edit distance, else "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace graph_runner::engine
