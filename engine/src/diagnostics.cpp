#include "diagnostics.hpp"

#include "graph_runner/detail/param_rules.hpp"

#include <algorithm>
#include <sstream>
#include <tuple>

namespace graph_runner::engine {

void Diagnostics::error(SourcePos pos, std::string message, std::string hint) {
  errors_.push_back({std::move(pos), std::move(message), std::move(hint)});
}

void Diagnostics::warning(SourcePos pos, std::string message, std::string hint) {
  warnings_.push_back({std::move(pos), std::move(message), std::move(hint)});
}

namespace {
struct Labelled {
  const Diagnostic* d;
  const char* label;
};

std::string format_sorted(std::vector<Labelled> all) {
  std::stable_sort(all.begin(), all.end(), [](const Labelled& a, const Labelled& b) {
    return std::tie(a.d->pos.file, a.d->pos.line, a.d->pos.column) <
           std::tie(b.d->pos.file, b.d->pos.line, b.d->pos.column);
  });
  std::ostringstream out;
  for (const auto& [d, label] : all) {
    out << d->pos.file;
    if (d->pos.line > 0) out << ':' << d->pos.line << ':' << d->pos.column;
    out << ": " << label << ": " << d->message << '\n';
    if (!d->hint.empty()) out << "  hint: " << d->hint << '\n';
  }
  return out.str();
}
}  // namespace

std::string Diagnostics::format() const {
  std::vector<Labelled> all;
  for (const auto& d : errors_) all.push_back({&d, "error"});
  for (const auto& d : warnings_) all.push_back({&d, "warning"});
  return format_sorted(std::move(all));
}

std::string Diagnostics::format_warnings() const {
  std::vector<Labelled> all;
  for (const auto& d : warnings_) all.push_back({&d, "warning"});
  return format_sorted(std::move(all));
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  return graph_runner::detail::did_you_mean(word, candidates);
}

}  // namespace graph_runner::engine
