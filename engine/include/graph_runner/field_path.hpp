#pragma once
/// @file field_path.hpp
/// Field names as paths into nested records (SDK 2.0).
///
/// Records are flat: a non-empty JSON object is not a value, its keys become fields whose
/// names are dotted paths. `{"user":{"country":"DE"}}` is the field `user.country`, and the
/// JSON writers nest consecutive fields that share a prefix into one object again.
///
/// A key that itself contains `.` or `\` is escaped with a backslash in the path (`a.b` is
/// `a\.b`, `a\b` is `a\\b`), so a path always splits back into the keys it was made of:
/// @code
///   std::string name = graph_runner::path_join("user", "e.mail");   // "user.e\\.mail"
///   auto keys = graph_runner::path_split(name);                       // {"user", "e.mail"}
/// @endcode
/// A name without `.` and `\` is a top-level key, unchanged: most names are.

#include <string>
#include <string_view>
#include <vector>

#include "graph_runner/export.hpp"

namespace graph_runner {

/// Appends `key` to `out` with `.` and `\` escaped (a backslash before each).
GRAPH_RUNNER_API void append_path_key(std::string& out, std::string_view key);

/// The path of `key` inside `parent` (a path, already escaped; empty: the top level):
/// `parent.key` with `key` escaped.
GRAPH_RUNNER_API std::string path_join(std::string_view parent, std::string_view key);

/// The keys a field name is made of, unescaped: `a.b\.c` is {"a", "b.c"}. A name without
/// `.` is one key. A trailing lone backslash is kept as it is.
GRAPH_RUNNER_API std::vector<std::string> path_split(std::string_view field_name);

/// Whether `field_name` has more than one key, or an escape: path_split() would change it.
/// False for plain top-level names (a fast check before splitting).
inline bool is_path(std::string_view field_name) noexcept {
  return field_name.find_first_of(".\\") != std::string_view::npos;
}

}  // namespace graph_runner
