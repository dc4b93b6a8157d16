#include "field_paths.hpp"

#include <stdexcept>

#include "graph_runner/field_path.hpp"

namespace graph_runner::plugins {

bool covers(std::string_view path, std::string_view name) noexcept {
  if (name.size() < path.size() || name.compare(0, path.size(), path) != 0) return false;
  // path_problem() refuses a lone trailing backslash, so the `.` after a valid path is a
  // separator, never an escaped dot.
  return name.size() == path.size() || name[path.size()] == '.';
}

std::string path_problem(std::string_view path) {
  if (path.empty()) return "an empty field name";
  const std::vector<std::string> keys = path_split(path);
  std::string rejoined;
  for (const auto& key : keys) {
    if (key.empty()) return "'" + std::string(path) + "' has an empty key (write a dot inside a key as \\.)";
    rejoined = rejoined.empty() ? path_join("", key) : path_join(rejoined, key);
  }
  if (rejoined != path) return "'" + std::string(path) + "' ends with a lone backslash (write a backslash as \\\\)";
  return {};
}

FieldPaths::FieldPaths(std::vector<std::string> paths) : paths_(std::move(paths)) {
  for (std::size_t i = 0; i < paths_.size(); ++i) {
    if (std::string problem = path_problem(paths_[i]); !problem.empty()) throw std::invalid_argument(problem);
    for (std::size_t j = 0; j < i; ++j)
      if (paths_[j] == paths_[i]) throw std::invalid_argument("'" + paths_[i] + "' is listed twice");
  }
}

std::size_t FieldPaths::longest(std::string_view name) const noexcept {
  std::size_t best = none;
  for (std::size_t i = 0; i < paths_.size(); ++i)
    if (covers(paths_[i], name) && (best == none || paths_[i].size() > paths_[best].size())) best = i;
  return best;
}

std::size_t FieldPaths::first(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < paths_.size(); ++i)
    if (covers(paths_[i], name)) return i;
  return none;
}

FieldPaths field_paths_param(const Context& c, const std::string& param, const std::string& empty_message) {
  const auto& paths = c.params().get_string_list(param);
  if (paths.empty()) c.param_error(param, empty_message);
  try {
    return FieldPaths(paths);
  } catch (const std::invalid_argument& e) {
    c.param_error(param, e.what());
  }
}

}  // namespace graph_runner::plugins
