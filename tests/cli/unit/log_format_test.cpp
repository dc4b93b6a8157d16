// `--log-format`: text lines name the node; json lines are one object each, escaped.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "listen_address.hpp"
#include "log_format.hpp"

using namespace graph_runner::cli;
using graph_runner::net::parse_listen_address;

namespace {
// 2026-11-23T16:45:01.123Z
std::chrono::system_clock::time_point sample_time() {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(1795452301123LL));
}
}  // namespace

TEST_CASE("a json log line is one object with ts, level, node and msg", "[log]") {
  const std::string line =
      format_log_line({sample_time(), "warn", "valid", "bad \"value\"\n\ttab \x01 and \xff byte"}, LogFormat::json);
  INFO(line);
  CHECK(line.find('\n') == std::string::npos);
  const auto j = nlohmann::json::parse(line);
  CHECK(j.at("ts") == "2026-11-23T16:45:01.123Z");
  CHECK(j.at("level") == "warn");
  CHECK(j.at("node") == "valid");
  CHECK(j.at("msg") == "bad \"value\"\n\ttab \x01 and \xEF\xBF\xBD byte");
  CHECK(j.size() == 4);
}

TEST_CASE("a run-wide json log line has a null node", "[log]") {
  const auto j = nlohmann::json::parse(format_log_line({sample_time(), "info", "", "started"}, LogFormat::json));
  CHECK(j.at("node").is_null());
}

TEST_CASE("a text log line has time, level and node", "[log]") {
  const std::string line = format_log_line({sample_time(), "error", "store", "disk full"}, LogFormat::text);
  CHECK_THAT(line, Catch::Matches(R"(\[2026-11-2[34] \d\d:\d\d:01\.123\] \[error\] node=store: disk full)"));
  CHECK_THAT(format_log_line({sample_time(), "warn", "", "grace expired"}, LogFormat::text),
             Catch::EndsWith("] [warn] grace expired"));
}

TEST_CASE("metrics-listen addresses default to loopback", "[metrics]") {
  std::string error;
  auto a = parse_listen_address(":9100", error);
  REQUIRE(a);
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == 9100);
  a = parse_listen_address("0", error);
  REQUIRE(a);
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == 0);
  a = parse_listen_address("0.0.0.0:8080", error);
  REQUIRE(a);
  CHECK(a->host == "0.0.0.0");
  a = parse_listen_address("[::1]:9100", error);
  REQUIRE(a);
  CHECK(a->host == "::1");
  CHECK(a->port == 9100);
  for (const char* bad : {"", "localhost", "host:", "host:70000", ":-1", "[::1]9100", "host:12ab"}) {
    INFO(bad);
    error.clear();
    CHECK_FALSE(parse_listen_address(bad, error));
    CHECK_FALSE(error.empty());
  }
}
