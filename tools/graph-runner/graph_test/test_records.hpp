#pragma once
// Records as tests write them (TOML tables, JSON lines, a JSON-lines file) and as the capture
// sink hands them back (JSON text): all become JSON values, compared field by field.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "diagnostics.hpp"

namespace graph_runner::cli::graph_test {

// A TOML value as JSON, tables in file order; nullopt (and an error in `diags`) for a value
// JSON cannot hold (a NaN or infinite float).
std::optional<nlohmann::ordered_json> toml_to_json(const toml::node& node, const std::string& file,
                                                   engine::Diagnostics& diags);

// One JSON object from a line of text, or nullopt with an error at `pos`.
std::optional<nlohmann::ordered_json> parse_record_line(const std::string& line, engine::SourcePos pos,
                                                        engine::Diagnostics& diags);

// The non-blank lines of a JSON-lines file, each checked; an error per bad line (or for a
// file that cannot be read, at `at`).
std::optional<std::vector<std::string>> read_record_file(const std::string& path, const engine::SourcePos& at,
                                                         engine::Diagnostics& diags);

// `{"a":1,"user":{"id":2}}` -> a = 1, user.id = 2 (arrays and empty objects stay whole).
std::vector<std::pair<std::string, nlohmann::json>> flatten(const nlohmann::json& record);

// Field by field, in the order of `expected` then the fields only `got` has:
//   "    value: expected 500, got 5" / "    user.country: expected "FR", got nothing".
std::string field_diff(const nlohmann::json& expected, const nlohmann::json& got, const std::string& indent);

// How alike two records are: fields with equal values (pairs the closest extra record with
// a missing one for the diff).
std::size_t shared_fields(const nlohmann::json& a, const nlohmann::json& b);

}  // namespace graph_runner::cli::graph_test
