#include "graph_test/test_expect.hpp"

#include <algorithm>

#include "graph_test/test_records.hpp"

namespace graph_runner::cli::graph_test {
namespace {

using nlohmann::json;

constexpr std::size_t shown = 5;  // records listed at most per kind (missing, extra, ...)

std::vector<json> parse_all(const std::vector<std::string>& texts) {
  std::vector<json> out;
  out.reserve(texts.size());
  for (const auto& t : texts) out.push_back(json::parse(t, nullptr, false));  // written by our own writer
  return out;
}

std::string records_text(std::size_t n) { return std::to_string(n) + (n == 1 ? " record" : " records"); }

// "    missing: {...}" for up to `shown` of `which`, then "... and N more".
std::string list(const std::string& label, const std::vector<const json*>& which) {
  std::string out;
  for (std::size_t i = 0; i < which.size() && i < shown; ++i) out += "  " + label + which[i]->dump() + "\n";
  if (which.size() > shown) out += "  ... and " + std::to_string(which.size() - shown) + " more\n";
  return out;
}

std::string compare_unordered(const std::vector<json>& expected, const std::vector<json>& got) {
  std::vector<bool> used(got.size(), false);
  std::vector<const json*> missing, extra;
  for (const auto& e : expected) {
    std::size_t i = 0;
    while (i < got.size() && (used[i] || got[i] != e)) ++i;
    if (i < got.size()) used[i] = true;
    else missing.push_back(&e);
  }
  for (std::size_t i = 0; i < got.size(); ++i)
    if (!used[i]) extra.push_back(&got[i]);
  if (missing.empty() && extra.empty()) return {};
  std::string out = "  expected " + records_text(expected.size()) + ", got " + std::to_string(got.size()) + ": " +
                    std::to_string(missing.size()) + " missing, " + std::to_string(extra.size()) + " extra\n";
  if (!missing.empty() && !extra.empty()) {
    // The extra record most like the first missing one: most likely the same record, changed.
    const json* closest = *std::max_element(extra.begin(), extra.end(), [&](const json* a, const json* b) {
      return shared_fields(*missing.front(), *a) < shared_fields(*missing.front(), *b);
    });
    out += "  first difference (expected vs got):\n" + field_diff(*missing.front(), *closest, "    ");
  }
  return out + list("missing: ", missing) + list("extra:   ", extra);
}

std::string compare_ordered(const std::vector<json>& expected, const std::vector<json>& got) {
  const std::size_t common = std::min(expected.size(), got.size());
  std::size_t i = 0;
  while (i < common && expected[i] == got[i]) ++i;
  if (i == expected.size() && i == got.size()) return {};
  std::string out = "  expected " + records_text(expected.size()) + " in order, got " + std::to_string(got.size()) + "\n";
  if (i < common) {
    out += "  record " + std::to_string(i + 1) + " differs (expected vs got):\n" + field_diff(expected[i], got[i], "    ");
    out += "    expected: " + expected[i].dump() + "\n    got:      " + got[i].dump() + "\n";
    return out;
  }
  std::vector<const json*> rest;
  const auto& longer = expected.size() > got.size() ? expected : got;
  for (std::size_t k = i; k < longer.size(); ++k) rest.push_back(&longer[k]);
  return out + list(expected.size() > got.size() ? "missing: " : "extra:   ", rest);
}

// A record of the check filter's errors port, without the fields the engine added.
std::string unevaluated_text(json record) {
  std::string why = record.contains("error") ? record["error"].dump() : "";
  record.erase("error");
  record.erase("error_node");
  return why + " on " + record.dump();
}

}  // namespace

std::string check_output(const TestOutput& o, const OutputCaptures& caps, const TestStore& store) {
  const std::vector<json> got = caps.records.empty() ? std::vector<json>{} : parse_all(store.captured(caps.records));
  std::string out;
  if (o.none && !got.empty())
    out += "  expected no record, got " + std::to_string(got.size()) + "; the first: " + got.front().dump() + "\n";
  if (o.count && got.size() != static_cast<std::size_t>(*o.count))
    out += "  expected " + records_text(static_cast<std::size_t>(*o.count)) + ", got " + std::to_string(got.size()) + "\n";
  if (o.records) out += o.ordered ? compare_ordered(*o.records, got) : compare_unordered(*o.records, got);
  for (std::size_t j = 0; j < o.conditions.size() && j < caps.violations.size(); ++j) {
    const std::string& condition = o.conditions[j].first;
    const auto violating = parse_all(store.captured(caps.violations[j]));
    const auto unevaluated = parse_all(store.captured(caps.unevaluated[j]));
    if (!violating.empty())
      out += "  condition '" + condition + "' is false for " + records_text(violating.size()) +
             "; the first: " + violating.front().dump() + "\n";
    if (!unevaluated.empty())
      out += "  condition '" + condition + "' could not be evaluated on " + records_text(unevaluated.size()) +
             "; the first: " + unevaluated_text(unevaluated.front()) + "\n";
  }
  if (out.empty()) return out;
  if (caps.records.empty()) out += "  (no input of this test reaches '" + o.node + "')\n";
  return "output '" + o.label() + "' (" + o.node_pos.file + ":" + std::to_string(o.node_pos.line) + "):\n" + out;
}

}  // namespace graph_runner::cli::graph_test
