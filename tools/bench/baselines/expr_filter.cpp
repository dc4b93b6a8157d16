// Issue 15's speed check of the record language, in process: 1 M parsed web-event records
// (batches of 1024, typed string columns as the jsonl source makes them) filtered by
//   (1) the language:  method == "POST" && starts_with(path, "/api")
//   (2) the language:  matches(path, "^/api/v[0-9]+/(orders|users)/[0-9]+$")
// each against a hand-written C++ loop over the same columns (string compare on the views;
// RE2::PartialMatch). Rounds alternate A B A B; prints the median records/s of each and the
// ratio language / hand-written (issue 15's target: >= 0.7). Both sides count the records
// kept, and the counts must agree.
//
//   expr_filter [--records N] [--rounds R]
#include <re2/re2.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "expr/expr.hpp"
#include "graph_runner/sdk.hpp"

using namespace graph_runner;

namespace {

std::vector<BatchPtr> make_events(std::size_t records) {
  const char* methods[] = {"GET", "GET", "GET", "POST", "POST", "PUT", "DELETE", "GET"};
  const char* paths[] = {"/api/v1/orders/12345", "/api/v2/users/778",  "/", "/login",
                         "/static/app.js",       "/api/v1/orders",     "/api/v1/users/42/cart",
                         "/health",              "/api/v3/orders/9",   "/docs/getting-started"};
  const Field method = field("method"), path = field("path");
  std::vector<BatchPtr> batches;
  std::uint64_t x = 88172645463325252ULL;
  for (std::size_t done = 0; done < records;) {
    const std::size_t n = std::min<std::size_t>(1024, records - done);
    BatchBuilder b(n);
    Column& m = b.column(method, ColumnType::string);
    Column& p = b.column(path, ColumnType::string);
    m.resize(n);
    p.resize(n);
    auto ms = m.strings_for_write();
    auto ps = p.strings_for_write();
    for (std::size_t i = 0; i < n; ++i) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      ms[i] = StringView(b.string(methods[x % 8]).as_string());
      ps[i] = StringView(b.string(paths[(x >> 8) % 10]).as_string());
    }
    m.mark_all_valid();
    p.mark_all_valid();
    batches.push_back(b.finish());
    done += n;
  }
  return batches;
}

double seconds(const std::function<std::size_t()>& run, std::size_t& kept) {
  const auto start = std::chrono::steady_clock::now();
  kept = run();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Compared {
  const char* name;
  std::function<std::size_t()> language, hand;
};

}  // namespace

int main(int argc, char** argv) {
  std::size_t records = 1'000'000, rounds = 7;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--records")) records = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--rounds")) rounds = std::strtoull(argv[i + 1], nullptr, 10);
  }
  const auto batches = make_events(records);
  const Field method = field("method"), path = field("path");

  const expr::Program strings = expr::compile("method == \"POST\" && starts_with(path, \"/api\")");
  const char* pattern = "^/api/v[0-9]+/(orders|users)/[0-9]+$";
  const expr::Program regex = expr::compile(std::string("matches(path, \"") + pattern + "\")");
  const RE2 re(pattern);
  auto scratch_s = strings.make_scratch();
  auto scratch_r = regex.make_scratch();
  std::vector<std::uint32_t> kept;

  auto by_language = [&](const expr::Program& p, expr::Scratch& s) {
    std::size_t n = 0;
    for (const auto& b : batches) {
      kept.clear();
      p.filter(*b, s, kept);
      n += kept.size();
    }
    return n;
  };
  const std::vector<Compared> compared = {
      {"string filter", [&] { return by_language(strings, *scratch_s); },
       [&] {
         std::size_t n = 0;
         for (const auto& b : batches) {
           const auto ms = b->find(method)->strings();
           const auto ps = b->find(path)->strings();
           for (std::size_t i = 0; i < b->size(); ++i)
             n += ms[i].view() == "POST" && ps[i].view().starts_with("/api");
         }
         return n;
       }},
      {"regex filter", [&] { return by_language(regex, *scratch_r); },
       [&] {
         std::size_t n = 0;
         for (const auto& b : batches) {
           const auto ps = b->find(path)->strings();
           for (std::size_t i = 0; i < b->size(); ++i) {
             const std::string_view v = ps[i].view();
             n += RE2::PartialMatch(re2::StringPiece(v.data(), v.size()), re);
           }
         }
         return n;
       }},
  };
  int status = 0;
  for (const auto& c : compared) {
    std::vector<double> lang, hand;
    std::size_t kept_lang = 0, kept_hand = 0;
    for (std::size_t r = 0; r < rounds; ++r) {  // A B, then B A: neither always goes first
      if (r % 2 == 0) {
        lang.push_back(seconds(c.language, kept_lang));
        hand.push_back(seconds(c.hand, kept_hand));
      } else {
        hand.push_back(seconds(c.hand, kept_hand));
        lang.push_back(seconds(c.language, kept_lang));
      }
    }
    if (kept_lang != kept_hand) {
      std::fprintf(stderr, "%s: the language kept %zu records, the hand-written loop %zu\n", c.name, kept_lang, kept_hand);
      status = 1;
    }
    const double l = static_cast<double>(records) / median(lang), h = static_cast<double>(records) / median(hand);
    std::printf("%-14s language %7.1f M records/s   hand-written %7.1f M records/s   ratio %.2f (kept %zu)\n", c.name,
                l / 1e6, h / 1e6, l / h, kept_lang);
  }
  return status;
}
