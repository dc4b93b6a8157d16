// [graph] -> GraphSettings.
#include <system_error>

#include "parse/convert.hpp"

namespace graph_runner::engine::parse_detail {
namespace {

const std::vector<std::string> graph_keys = {"name",          "description",       "threads",   "batch_size",
                                             "linger_ms",     "max_in_flight",     "max_in_flight_bytes", "shutdown_grace_ms",
                                             "timeout_s",     "stall_timeout_s",   "plugin_path",
                                             "state_dir",     "checkpoint_ms"};

template <class T>
void assign(T& target, std::optional<T> value) {
  if (value) target = std::move(*value);
}

// plugin_path entries are relative to the graph file's folder, so a graph and its plugins
// move together; stored absolute, so the registry does not depend on the working directory.
std::filesystem::path resolve_folder(const std::string& folder, const std::filesystem::path& base_dir) {
  std::filesystem::path p(folder);
  if (p.is_relative()) p = base_dir / p;
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(p, ec);
  return (ec ? p : absolute).lexically_normal();
}

std::string list_keys() {
  std::string out;
  for (const auto& k : graph_keys) out += (out.empty() ? "" : ", ") + k;
  return out;
}

}  // namespace

GraphSettings convert_settings(const toml::table& table, const std::filesystem::path& base_dir,
                               const ValueReader& r) {
  GraphSettings s;
  for (const auto& [key, value] : in_file_order(table)) {
    const std::string k(key->str());
    const toml::node& v = *value;
    if (k == "name") assign(s.name, r.string(v, k));
    else if (k == "description") assign(s.description, r.string(v, k));
    else if (k == "threads") assign(s.threads, r.integer(v, k, 0));
    else if (k == "batch_size") assign(s.batch_size, r.integer(v, k, 1));
    else if (k == "linger_ms") assign(s.linger_ms, r.integer(v, k, 0));
    else if (k == "max_in_flight") assign(s.max_in_flight, r.integer(v, k, 1));
    else if (k == "max_in_flight_bytes") { if (auto n = r.integer(v, k, 1)) s.max_in_flight_bytes = n; }
    else if (k == "shutdown_grace_ms") assign(s.shutdown_grace_ms, r.integer(v, k, 0));
    else if (k == "timeout_s") assign(s.timeout_s, r.number(v, k, 0));
    else if (k == "stall_timeout_s") assign(s.stall_timeout_s, r.number(v, k, 0));
    else if (k == "state_dir") assign(s.state_dir, r.string(v, k));
    else if (k == "checkpoint_ms") assign(s.checkpoint_ms, r.integer(v, k, 1));
    else if (k == "plugin_path") {
      if (auto folders = r.string_list(v, k))
        for (const auto& [folder, pos] : *folders) s.plugin_path.push_back(resolve_folder(folder, base_dir));
    } else {
      std::string hint = did_you_mean(k, graph_keys);
      r.error(r.pos(*key), "unknown [graph] key '" + k + "'", hint.empty() ? "[graph] keys are " + list_keys() : hint);
    }
  }
  return s;
}

}  // namespace graph_runner::engine::parse_detail
