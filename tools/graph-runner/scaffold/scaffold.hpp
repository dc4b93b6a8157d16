#pragma once
// `graph-runner new-plugin`: writes a plugin project (CMakeLists.txt, the plugin source, its
// unit test, a sample graph, a README) from the templates in scaffold/templates/. The
// command line lives in new_plugin_command.cpp; this is the part that knows no CLI.
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace graph_runner::cli::scaffold {

// A mistake of the user's (a bad name, a folder in the way): exit code 2, not 1.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The kinds there are templates for: "source", "stage", "sink".
const std::vector<std::string>& kinds();

// Why `name` cannot name a plugin project, or nothing when it can. A name is a plugin name
// (`[a-z][a-z0-9_]*`, as graph files write it), a C++ identifier part (the registration
// symbol) and a CMake target name, so it must suit all three.
std::optional<std::string> name_problem(std::string_view name);

// "my_filter" -> "MyFilter".
std::string pascal_case(std::string_view snake);

// `text` with every @VAR@ replaced by vars["VAR"]; an @VAR@ with no value throws
// std::logic_error (a template and this program disagree).
std::string render(std::string_view text, const std::map<std::string, std::string>& vars);

struct Request {
  std::string name;
  std::string kind;            // one of kinds()
  std::filesystem::path dir;   // where the project goes: missing or empty
  // Values for the templates besides NAME, CLASS and KIND (PREFIX, GRAPH_RUNNER, ...).
  std::map<std::string, std::string> vars;
};

// Writes the project; returns the files written, relative to request.dir, in template
// order. Throws UsageError for a bad name or kind, or a dir that exists and is not an empty
// folder (nothing is written then), std::runtime_error when a file cannot be written.
std::vector<std::filesystem::path> write_project(const Request& request);

}  // namespace graph_runner::cli::scaffold
