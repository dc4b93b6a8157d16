#include "diagnostics.hpp"

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

namespace {
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}
}  // namespace

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    if (c == word) continue;  // the word itself was refused (e.g. an untrusted plugin): no hint
    const std::size_t length_gap = c.size() > word.size() ? c.size() - word.size() : word.size() - c.size();
    if (length_gap >= best_d) continue;  // cannot be close enough: skip the O(n*m) distance
    std::size_t d = edit_distance(word, c);
    if (d < best_d) { best_d = d; best = c; }
  }
  return best.empty() ? std::string{} : "did you mean '" + best + "'?";
}

}  // namespace graph_runner::engine
