// expr_docs: keeps the function table of docs/expressions.md generated from the function table
// in code (functions_*.cpp). The table sits between two marker lines:
//   <!-- BEGIN GENERATED: functions (expr_docs) -->
//   <!-- END GENERATED: functions -->
//   expr_docs                      prints the table
//   expr_docs FILE                 rewrites the table in FILE
//   expr_docs --check FILE         exit 1 when FILE's table is stale (a CTest)
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "expr/expr.hpp"

namespace {
constexpr std::string_view begin_marker = "<!-- BEGIN GENERATED: functions (expr_docs) -->\n";
constexpr std::string_view end_marker = "<!-- END GENERATED: functions -->";
}  // namespace

int main(int argc, char** argv) {
  const std::string table = graph_runner::expr::function_table_markdown();
  const bool check = argc == 3 && std::string(argv[1]) == "--check";
  if (argc == 1) {
    std::cout << table;
    return 0;
  }
  if (argc != 2 && !check) {
    std::cerr << "usage: expr_docs [--check] [FILE]\n";
    return 2;
  }
  const std::string path = argv[argc - 1];
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  const auto b = text.find(begin_marker);
  const auto e = text.find(end_marker);
  if (!in || b == std::string::npos || e == std::string::npos || e < b) {
    std::cerr << path << ": no generated function table (markers missing)\n";
    return 2;
  }
  const std::string updated = text.substr(0, b + begin_marker.size()) + table + text.substr(e);
  if (check) {
    if (updated == text) return 0;
    std::cerr << path << ": the function table is stale; regenerate it: build/ci/bin/expr_docs " << path << "\n";
    return 1;
  }
  std::ofstream(path) << updated;
  return 0;
}
