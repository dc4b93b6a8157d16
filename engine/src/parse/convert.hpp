#pragma once
// Private to parse/: the parsed (and overridden, expanded) document -> GraphSpec.
#include <filesystem>
#include <string>

#include <toml++/toml.h>

#include "parse/graph_spec.hpp"
#include "parse/toml_reader.hpp"

namespace graph_runner::engine::parse_detail {

// [graph]: every key type- and range-checked; plugin_path resolved against `base_dir`.
GraphSettings convert_settings(const toml::table& table, const std::filesystem::path& base_dir,
                               const ValueReader& reader);

// One [sources.NAME] / [stages.NAME] / [sinks.NAME] table.
NodeSpec convert_node(NodeKind kind, const toml::key& name, const toml::table& table, const ValueReader& reader);

}  // namespace graph_runner::engine::parse_detail
