#pragma once
// Field paths named in parameters (select, drop, rename): a path covers the field of that
// name and every field nested under it (`user` covers `user.country`), as the JSON writers
// nest them (graph_runner/field_path.hpp).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graph_runner/context.hpp"
#include "graph_runner/value.hpp"

namespace graph_runner::plugins {

/// Whether `path` is `name` itself or a prefix of it at a key boundary: `user` covers `user`
/// and `user.country`, not `username` nor `user\.x` (one key, "user.x").
bool covers(std::string_view path, std::string_view name) noexcept;

/// What is wrong with `path` as a field path in a parameter (empty: nothing): an empty path,
/// an empty key (`a..b`), a lone trailing backslash.
std::string path_problem(std::string_view path);

/// A list of paths from a parameter, matched against field names.
class FieldPaths {
 public:
  /// Throws std::invalid_argument naming the first bad or repeated path.
  explicit FieldPaths(std::vector<std::string> paths);
  static constexpr std::size_t none = SIZE_MAX;
  /// The longest path covering `name` (the most specific rule), or none.
  std::size_t longest(std::string_view name) const noexcept;
  /// The first path in list order covering `name`, or none.
  std::size_t first(std::string_view name) const noexcept;
  const std::string& operator[](std::size_t i) const noexcept { return paths_[i]; }
  std::size_t size() const noexcept { return paths_.size(); }

 private:
  std::vector<std::string> paths_;
};

/// The paths of list parameter `param`: at least one, each valid, none twice; otherwise a
/// parameter error (`empty_message` for an empty list).
FieldPaths field_paths_param(const Context& c, const std::string& param, const std::string& empty_message);

/// A value computed once per field from its name, remembered by field id: field_name()
/// takes the intern table's lock, too much to call for every column of every batch. Not
/// thread-safe: one per worker (pool.hpp).
template <class T>
class FieldMemo {
 public:
  template <class Compute>
  const T& get(Field f, Compute&& compute) {
    if (f.id >= known_.size()) known_.resize(f.id + 1);
    std::optional<T>& slot = known_[f.id];
    if (!slot) slot = compute(field_name(f));
    return *slot;
  }

 private:
  std::vector<std::optional<T>> known_;
};

}  // namespace graph_runner::plugins
