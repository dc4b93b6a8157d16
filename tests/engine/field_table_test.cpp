// The process's field table (engine/src/sdk/field_table.cpp): one id per name, and the name
// back, through its growth (rehashing, new text chunks) and from several threads at once.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "graph_runner/value.hpp"

using namespace graph_runner;

TEST_CASE("field() interns each name once and field_name() gives it back, many, long and empty names too") {
  std::vector<std::string> names = {"", std::string(100'000, 'x'), "ft_a.b", "ft_a\\.b"};
  for (int i = 0; i < 50'000; ++i) names.push_back("ft_name_" + std::to_string(i));
  std::vector<Field> fields;
  for (const auto& n : names) fields.push_back(field(n));
  for (std::size_t i = 0; i < names.size(); ++i) {
    INFO(names[i].substr(0, 40));
    CHECK(field(names[i]) == fields[i]);
    CHECK(field_name(fields[i]) == names[i]);
    if (i > 0) CHECK(fields[i] != fields[i - 1]);
  }
}

TEST_CASE("field() from several threads at once gives one id per name") {
  constexpr int threads = 4, count = 5'000;
  std::vector<std::vector<Field>> seen(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&seen, t] {
      for (int i = 0; i < count; ++i) seen[t].push_back(field("ft_shared_" + std::to_string((i * (t + 1)) % count)));
    });
  for (auto& w : workers) w.join();
  for (int t = 0; t < threads; ++t)
    for (int i = 0; i < count; ++i) {
      const std::string name = "ft_shared_" + std::to_string((i * (t + 1)) % count);
      CHECK(field_name(seen[t][i]) == name);
      CHECK(seen[t][i] == field(name));
    }
}

TEST_CASE("field_name() reads names while another thread adds new ones (it takes no lock)") {
  // The writer adds names past several new segments; the reader looks up each name as soon
  // as its id is published, while later ones are being added.
  constexpr std::size_t count = 70'000;
  std::vector<Field> ids(count);
  std::atomic<std::size_t> published{0};
  std::thread writer([&] {
    for (std::size_t i = 0; i < count; ++i) {
      ids[i] = field("ft_live_" + std::to_string(i));
      published.store(i + 1, std::memory_order_release);
    }
  });
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < count; ++i) {
    while (published.load(std::memory_order_acquire) <= i) std::this_thread::yield();
    if (field_name(ids[i]) != "ft_live_" + std::to_string(i)) ++wrong;
  }
  writer.join();
  CHECK(wrong == 0);
}
