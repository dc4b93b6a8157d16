#include <catch2/catch.hpp>

#include "graph_runner/field_path.hpp"

using namespace graph_runner;

TEST_CASE("path_join escapes dots and backslashes in the key", "[sdk][field_path]") {
  CHECK(path_join("", "user") == "user");
  CHECK(path_join("user", "country") == "user.country");
  CHECK(path_join("user", "e.mail") == "user.e\\.mail");
  CHECK(path_join("", "a\\b") == "a\\\\b");
  CHECK(path_join("a\\.b", "c") == "a\\.b.c");  // the parent is a path already: unchanged
  CHECK(path_join("", "") == "");
}

TEST_CASE("path_split gives back the keys a path was joined from", "[sdk][field_path]") {
  using V = std::vector<std::string>;
  CHECK(path_split("user") == V{"user"});
  CHECK(path_split("user.country") == V{"user", "country"});
  CHECK(path_split("user.e\\.mail") == V{"user", "e.mail"});
  CHECK(path_split("a\\\\b") == V{"a\\b"});
  CHECK(path_split("a.") == V{"a", ""});
  CHECK(path_split("trailing\\") == V{"trailing\\"});
  for (const V& keys : {V{"a"}, V{"a.b", "c"}, V{"x\\", ".", "\\.", ""}, V{"a", "b", "c"}}) {
    std::string path;
    for (const auto& k : keys) path = path_join(path, k);
    if (keys.size() > 1 && keys[0].empty()) continue;
    CHECK(path_split(path) == keys);
  }
  CHECK_FALSE(is_path("plain_name"));
  CHECK(is_path("a.b"));
  CHECK(is_path("a\\.b"));
}
