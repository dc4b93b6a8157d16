#include "validate/check_fields.hpp"

#include <set>
#include <string>

namespace graph_runner::engine {
namespace {

using FieldSet = std::optional<std::set<std::string>>;  // nullopt: not known

bool nested_in(const std::string& field, const std::string& prefix) {
  return field.size() > prefix.size() && field.compare(0, prefix.size(), prefix) == 0 && field[prefix.size()] == '.';
}

// `field` is there when a record may have it: the field itself, nested fields under it (an
// object `user` of `user.id`), or a field it lies inside (a JSON value `meta` holding `meta.x`).
bool produced(const std::set<std::string>& fields, const std::string& field) {
  if (fields.count(field)) return true;
  for (auto it = fields.lower_bound(field); it != fields.end() && it->compare(0, field.size(), field) == 0; ++it)
    if (nested_in(*it, field)) return true;
  for (std::size_t dot = field.find('.'); dot != std::string::npos; dot = field.find('.', dot + 1))
    if (fields.count(field.substr(0, dot))) return true;
  return false;
}

void unite(FieldSet& into, const FieldSet& more) {
  if (!into || !more) into.reset();
  else into->insert(more->begin(), more->end());
}

std::string listed(const std::set<std::string>& fields) {
  std::string out;
  std::size_t shown = 0;
  for (const auto& f : fields) {
    if (shown++ == 12) return out + ", ...";
    out += (out.empty() ? "" : ", ") + f;
  }
  return out.empty() ? "none" : out;
}

// The fields of the records a stage or source sends on its ordinary ports.
FieldSet output_of(const CheckedNode& node, const std::optional<FieldSchema>& schema, const FieldSet& input) {
  if (!schema) return std::nullopt;
  const bool source = node.spec->kind == NodeKind::source;
  if (!source && schema->keeps_input && !input) return std::nullopt;
  std::set<std::string> out;
  if (!source && schema->keeps_input) {
    for (const auto& f : *input) {
      bool removed = false;
      for (const auto& r : schema->removes) removed = removed || f == r || nested_in(f, r);
      if (!removed) out.insert(f);
    }
  }
  out.insert(schema->writes.begin(), schema->writes.end());
  return out;
}

// The records on port `errors`: a stage's input records with `error` and `error_node`; a
// source's bad input lines as `input`, `error`, `error_node`.
FieldSet errors_of(const CheckedNode& node, const FieldSet& input) {
  FieldSet out = node.spec->kind == NodeKind::source ? FieldSet(std::set<std::string>{"input"}) : input;
  if (out) out->insert({"error", "error_node"});
  return out;
}

}  // namespace

Diagnostics check_fields(const CheckedGraph& graph, const std::vector<std::optional<FieldSchema>>& declared) {
  Diagnostics diags;
  const std::size_t n = graph.nodes.size();
  std::vector<FieldSet> outputs(n), errors(n);
  for (std::size_t i = 0; i < n; ++i) {  // topological order: every node after its inputs
    const CheckedNode& node = graph.nodes[i];
    FieldSet input = std::set<std::string>{};
    for (const auto& e : graph.edges)
      if (e.to == i) unite(input, graph.nodes[e.from].ports[e.port] == "errors" ? errors[e.from] : outputs[e.from]);
    const auto& schema = i < declared.size() ? declared[i] : std::nullopt;
    if (schema && input && node.spec->kind != NodeKind::source) {
      const std::vector<std::string> candidates(input->begin(), input->end());
      for (const auto& read : schema->reads) {
        if (produced(*input, read.field)) continue;
        auto at = node.spec->param_pos.find(read.param);
        diags.error(at != node.spec->param_pos.end() ? at->second : node.spec->pos,
                    "node '" + node.spec->name + "' (plugin '" + node.spec->plugin + "'): `" + read.param +
                        "` reads the field '" + read.field + "', which no upstream node produces (upstream fields: " +
                        listed(*input) + ")",
                    did_you_mean(read.field, candidates));
      }
    }
    outputs[i] = output_of(node, schema, input);
    errors[i] = errors_of(node, input);
  }
  return diags;
}

}  // namespace graph_runner::engine
