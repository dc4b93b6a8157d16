// [sources.NAME] / [stages.NAME] / [sinks.NAME] -> NodeSpec: reserved keys
// (docs/graph-language.md#reserved-node-keys) are type-checked here; every other key becomes a plugin parameter, checked later
// against the plugin's schema by validate_graph.
#include <algorithm>

#include "parse/convert.hpp"

namespace graph_runner::engine::parse_detail {
namespace {

enum KindMask : unsigned { sources = 1, stages = 2, sinks = 4, all = 7 };

struct ReservedKey {
  std::string_view name;
  unsigned kinds;
  // On other kinds of node the key is a plugin parameter, not an error (`burst` is a source
  // key and also a parameter of the `throttle` stage).
  bool parameter_elsewhere = false;
};

constexpr ReservedKey reserved_keys[] = {
    {"plugin", all},          {"inputs", stages | sinks},     {"concurrency", stages | sinks},
    {"ordered", stages},      {"partition_by", stages | sinks}, {"priority", stages | sinks},
    {"on_error", all},        {"retries", stages | sinks},    {"backoff_ms", stages | sinks},
    {"batch_size", sources},  {"linger_ms", sources},         {"max_in_flight", sources},
    {"max_in_flight_bytes", sources},
    {"rate", sources},        {"burst", sources, true},       {"blocking", all},
    {"unread", sources | stages},
};

unsigned mask_of(NodeKind kind) {
  switch (kind) {
    case NodeKind::source: return sources;
    case NodeKind::stage: return stages;
    case NodeKind::sink: return sinks;
  }
  return 0;
}

std::string kinds_phrase(unsigned kinds) {
  std::string out;
  for (auto [bit, word] : {std::pair{sources, "sources"}, std::pair{stages, "stages"}, std::pair{sinks, "sinks"}}) {
    if (!(kinds & bit)) continue;
    out += (out.empty() ? "" : " and ") + std::string(word);
  }
  return out;
}

bool valid_node_name(const std::string& name) {
  if (name.empty() || !(name[0] >= 'a' && name[0] <= 'z')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

void read_on_error(NodeSpec& n, const toml::node& v, const ValueReader& r) {
  auto s = r.string(v, "on_error");
  if (!s) return;
  static const std::vector<std::string> names = {"fail", "drop", "retry", "route"};
  auto it = std::find(names.begin(), names.end(), *s);
  if (it == names.end()) {
    r.error(r.pos(v), "'on_error' must be fail, drop, retry or route, got '" + *s + "'", did_you_mean(*s, names));
  } else if (*it == "retry" && n.kind == NodeKind::source) {
    r.error(r.pos(v), "on_error = \"retry\" is not available on a source", "a source may use fail, drop or route");
  } else {
    n.on_error = static_cast<ErrorPolicy>(it - names.begin());
    n.on_error_pos = r.pos(v);
  }
}

void read_unread(NodeSpec& n, const toml::node& v, const ValueReader& r) {
  auto s = r.string(v, "unread");
  if (!s) return;
  if (*s == "drop") n.drop_unread = true;
  else
    r.error(r.pos(v), "'unread' must be \"drop\", got '" + *s + "'",
            "unread = \"drop\" drops what reaches ports no node reads; leave it out to have such ports reported");
}

// `concurrency = { min = 1, max = 16 }`: adaptive, the engine moves the number of calls in
// flight between the two (docs/performance.md#adaptive-concurrency). Both keys are required:
// a range with one end implied would hide the bound the user relies on.
void read_concurrency_range(NodeSpec& n, const toml::table& t, const ValueReader& r) {
  std::optional<std::int64_t> min, max;
  for (const auto& [key, value] : in_file_order(t)) {
    if (key->str() == "min") min = r.integer(*value, "concurrency.min", 1);
    else if (key->str() == "max") max = r.integer(*value, "concurrency.max", 1);
    else
      r.error(r.pos(*key), "unknown key '" + std::string(key->str()) + "' in 'concurrency'",
              "write concurrency = { min = 1, max = 16 }");
  }
  if (!t.contains("min") || !t.contains("max")) {
    r.error(r.pos(t), std::string("'concurrency' needs both 'min' and 'max', got only ") +
                          (t.contains("min") ? "'min'" : t.contains("max") ? "'max'" : "neither"),
            "write concurrency = { min = 1, max = 16 }, or an integer for a fixed concurrency");
    return;
  }
  if (!min || !max) return;  // reported by integer()
  if (*min > *max) {
    r.error(r.pos(*t.get("min")), "'concurrency.min' (" + std::to_string(*min) + ") is above 'concurrency.max' (" +
                                      std::to_string(*max) + ")");
    return;
  }
  n.concurrency = *max;
  n.concurrency_min = *min;
}

void read_concurrency(NodeSpec& n, const toml::node& v, const ValueReader& r) {
  n.concurrency_pos = r.pos(v);
  n.concurrency_min.reset();
  if (const auto* s = v.as_string(); s && s->get() == "unlimited") {
    n.concurrency = 0;
  } else if (const auto* i = v.as_integer(); i && i->get() >= 1) {
    n.concurrency = i->get();
  } else if (const auto* t = v.as_table()) {
    read_concurrency_range(n, *t, r);
  } else {
    std::string got = v.as_string() ? "'" + v.as_string()->get() + "'"
                      : v.as_integer() ? std::to_string(v.as_integer()->get())
                                       : std::string(toml_type_name(v));
    r.error(r.pos(v), "'concurrency' must be an integer >= 1 or \"unlimited\", got " + got,
            "or a range, for a concurrency the engine adapts to the load: concurrency = { min = 1, max = 16 }");
  }
}

void read_inputs(NodeSpec& n, const toml::node& v, const ValueReader& r) {
  n.inputs_pos = r.pos(v);
  auto list = r.string_list(v, "inputs");
  if (!list) return;
  for (auto& [text, pos] : *list) {
    InputRef ref;
    std::size_t dot = text.find('.');
    ref.node = text.substr(0, dot);
    if (dot != std::string::npos) ref.port = text.substr(dot + 1);
    if (ref.node.empty() || ref.port.empty()) {
      r.error(pos, "invalid input '" + text + "'", "write NODE or NODE.PORT, e.g. \"valid\" or \"valid.errors\"");
      continue;
    }
    ref.pos = std::move(pos);
    n.inputs.push_back(std::move(ref));
  }
}

template <class T>
void assign(T& target, std::optional<T> value) {
  if (value) target = std::move(*value);
}
template <class T>
void assign(std::optional<T>& target, std::optional<T> value) {
  if (value) target = std::move(value);
}

void read_reserved(NodeSpec& n, const std::string& k, const toml::node& v, const ValueReader& r) {
  if (k == "plugin") {
    n.plugin_pos = r.pos(v);
    assign(n.plugin, r.string(v, k));
  } else if (k == "inputs") read_inputs(n, v, r);
  else if (k == "concurrency") read_concurrency(n, v, r);
  else if (k == "ordered") assign(n.ordered, r.boolean(v, k));
  else if (k == "partition_by") assign(n.partition_by, r.string(v, k));
  else if (k == "priority") assign(n.priority, r.string(v, k));
  else if (k == "on_error") read_on_error(n, v, r);
  else if (k == "retries") assign(n.retries, r.integer(v, k, 0));
  else if (k == "backoff_ms") assign(n.backoff_ms, r.integer(v, k, 0));
  else if (k == "batch_size") assign(n.batch_size, r.integer(v, k, 1));
  else if (k == "linger_ms") assign(n.linger_ms, r.integer(v, k, 0));
  else if (k == "max_in_flight") assign(n.max_in_flight, r.integer(v, k, 1));
  else if (k == "max_in_flight_bytes") assign(n.max_in_flight_bytes, r.integer(v, k, 1));
  else if (k == "rate") assign(n.rate, r.number(v, k, 0));
  else if (k == "burst") assign(n.burst, r.integer(v, k, 0));
  else if (k == "blocking") assign(n.blocking, r.boolean(v, k));
  else if (k == "unread") read_unread(n, v, r);
}

// A parameter value: bool, int, number, string, list of strings or table of strings (the
// table in file order, as a plugin such as `map` applies its entries in order).
std::optional<ParamValue> read_param(const std::string& k, const toml::node& v, const ValueReader& r) {
  if (const auto* b = v.as_boolean()) return b->get();
  if (const auto* i = v.as_integer()) return i->get();
  if (const auto* d = v.as_floating_point()) return d->get();
  if (const auto* s = v.as_string()) return s->get();
  if (const auto* array = v.as_array()) {
    std::vector<std::string> items;
    for (const auto& item : *array) {
      if (!item.is_string()) {
        r.error(r.pos(item), "parameter '" + k + "': a list parameter holds strings only, this is " +
                                 std::string(toml_type_name(item)));
        return std::nullopt;
      }
      items.push_back(item.as_string()->get());
    }
    return items;
  }
  if (const auto* table = v.as_table()) {
    StringMap entries;
    for (const auto& [key, value] : in_file_order(*table)) {
      if (!value->is_string()) {
        r.error(r.pos(*value), "parameter '" + k + "': a table parameter holds strings only, '" + std::string(key->str()) +
                                   "' is " + std::string(toml_type_name(*value)));
        return std::nullopt;
      }
      entries.emplace_back(key->str(), value->as_string()->get());
    }
    return entries;
  }
  r.error(r.pos(v), "parameter '" + k + "': unsupported value (" + std::string(toml_type_name(v)) + ")",
          "a parameter is a bool, integer, number, string, list of strings or table of strings");
  return std::nullopt;
}

}  // namespace

NodeSpec convert_node(NodeKind kind, const toml::key& name, const toml::table& table, const ValueReader& r) {
  NodeSpec n;
  n.name = std::string(name.str());
  n.kind = kind;
  n.pos = r.pos(table);
  if (n.pos.line == 0) n.pos = r.pos(name);
  if (!valid_node_name(n.name))
    r.error(n.pos, "invalid node name '" + n.name + "'",
            "a name starts with a lowercase letter, then lowercase letters, digits or '_'");

  for (const auto& [key, value] : in_file_order(table)) {
    const std::string k(key->str());
    auto reserved = std::find_if(std::begin(reserved_keys), std::end(reserved_keys),
                                 [&](const ReservedKey& rk) { return rk.name == k; });
    if (reserved == std::end(reserved_keys) || (reserved->parameter_elsewhere && !(reserved->kinds & mask_of(kind)))) {
      n.param_pos[k] = r.pos(*value);
      if (auto p = read_param(k, *value, r)) n.params[k] = std::move(*p);
    } else if (!(reserved->kinds & mask_of(kind))) {
      r.error(r.pos(*key),
              "'" + k + "' is not allowed on a " + std::string(node_kind_name(kind)) + ": it applies to " +
                  kinds_phrase(reserved->kinds),
              k == "inputs" ? "a source reads from outside the graph; stages and sinks list their inputs" : "");
    } else {
      read_reserved(n, k, *value, r);
    }
  }
  if (!table.contains("plugin"))
    r.error(n.pos, std::string(node_kind_name(kind)) + " '" + n.name + "' has no 'plugin' key",
            "add plugin = \"NAME\"; `graph-runner plugins` lists the plugins found");
  return n;
}

}  // namespace graph_runner::engine::parse_detail
