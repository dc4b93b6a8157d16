// The http_server source's books and body parser, without sockets (the HTTP side is tested
// with real clients in tests/cli/http_server_test.py): which request a source batch holds,
// when a request is answered, what a body becomes.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>

#include "body_parser.hpp"
#include "ingest_queue.hpp"

using namespace graph_runner;
using namespace graph_runner::plugins;
using namespace std::chrono_literals;

namespace {

ParsedBody parse(std::string_view body, BodyFormat format = BodyFormat::ndjson, std::size_t batch = 4) {
  BodyParser parser(batch, 1 << 16);
  ParsedBody out;
  std::string error;
  REQUIRE(parser.parse(body, format, out, error));
  return out;
}

std::string error_of(std::string_view body, BodyFormat format) {
  BodyParser parser(4, 1 << 16);
  ParsedBody out;
  std::string error;
  REQUIRE_FALSE(parser.parse(body, format, out, error));
  CHECK(out.records == 0);
  CHECK(out.parts.empty());
  return error;
}

std::string lines(int from, int n) {
  std::string s;
  for (int i = from; i < from + n; ++i) s += "{\"i\":" + std::to_string(i) + "}\n";
  return s;
}

// The statuses answered, by connection.
std::map<std::uint64_t, int> statuses(const IngestQueue::Answers& answers) {
  std::map<std::uint64_t, int> m;
  for (const auto& a : answers) m[a.connection] = a.status;
  return m;
}

}  // namespace

TEST_CASE("http_server: a body becomes records in parts of at most batch_size, all or nothing") {
  const ParsedBody ndjson = parse(lines(0, 10));
  CHECK(ndjson.records == 10);
  REQUIRE(ndjson.parts.size() == 3);  // 4 + 4 + 2
  CHECK(ndjson.parts[2].rows == 2);
  const ParsedBody array = parse("[{\"a\":1},\n{\"a\":2,\"b\":\"x\"}, {\"a\":3}]", BodyFormat::json);
  CHECK(array.records == 3);
  CHECK(parse("{\"one\": true}", BodyFormat::json).records == 1);
  CHECK(parse("", BodyFormat::ndjson).records == 0);
  CHECK(parse("[]", BodyFormat::json).records == 0);

  CHECK(error_of(lines(0, 2) + "{\"i\": tru}\n" + lines(3, 1), BodyFormat::ndjson).rfind("body:3:", 0) == 0);
  CHECK(error_of("[{\"a\":1},\n  {\"a\": nul}]", BodyFormat::json).rfind("body:2:9: ", 0) == 0);
  CHECK(error_of("[{\"a\":1},\n  {\"a\": 2", BodyFormat::json).rfind("body:2:", 0) == 0);
  CHECK_THAT(error_of("[{\"a\":1}, 2]", BodyFormat::json), Catch::Contains("element 1 of the array is not a JSON object"));
  CHECK_THAT(error_of("\"text\"", BodyFormat::json), Catch::Contains("expected a JSON object or an array of objects"));
  CHECK_THAT(error_of("{\"a\":1} {\"b\":2}", BodyFormat::json), Catch::Contains("unexpected text after"));
}

TEST_CASE("http_server: a request spanning batches is answered once all of them are acknowledged") {
  IngestQueue queue({});
  IngestQueue::Answers answers;
  queue.offer(7, parse(lines(0, 10)), 100, answers);  // parts of 4, 4, 2
  CHECK(answers.empty());
  for (int batch = 0; batch < 3; ++batch) {
    BatchBuilder out(4);
    CHECK(queue.take(out, 0ms, answers));
    CHECK(out.size() == (batch < 2 ? 4u : 2u));
  }
  queue.acknowledge(2, answers);  // out of order
  queue.acknowledge(0, answers);
  CHECK(answers.empty());
  queue.acknowledge(1, answers);
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].connection == 7);
  CHECK(answers[0].status == 200);
  CHECK(answers[0].body == "{\"records\":10}\n");
}

TEST_CASE("http_server: one batch holds several requests, and each is answered with its batch") {
  IngestQueue queue({});
  IngestQueue::Answers answers;
  queue.offer(1, parse(lines(0, 2)), 10, answers);
  queue.offer(2, parse(lines(2, 1)), 10, answers);
  queue.offer(3, parse(lines(3, 3)), 10, answers);  // does not fit beside the others (capacity 4)
  BatchBuilder first(4), second(4);
  CHECK(queue.take(first, 0ms, answers));
  CHECK(first.size() == 3);
  CHECK(queue.take(second, 0ms, answers));
  CHECK(second.size() == 3);
  queue.acknowledge(1, answers);
  CHECK(statuses(answers) == std::map<std::uint64_t, int>{{3, 200}});
  queue.acknowledge(0, answers);
  CHECK(statuses(answers) == std::map<std::uint64_t, int>{{1, 200}, {2, 200}, {3, 200}});
}

TEST_CASE("http_server: backpressure: a request waits for room, then is refused, and on_receive answers when read") {
  IngestQueue queue({.max_queued_bytes = 100, .queue_timeout = 50ms, .end_to_end = false});
  IngestQueue::Answers answers;
  queue.offer(1, parse(lines(0, 2)), 80, answers);
  queue.offer(2, parse(lines(2, 2)), 80, answers);  // no room: waits
  queue.offer(3, parse(lines(4, 2)), 80, answers);
  CHECK(answers.empty());
  CHECK(queue.waiting_requests() == 2);
  BatchBuilder out(4);
  CHECK(queue.take(out, 0ms, answers));  // takes 1, which makes room for 2
  CHECK(statuses(answers) == std::map<std::uint64_t, int>{{1, 202}});
  CHECK(queue.waiting_requests() == 1);
  queue.expire(IngestQueue::Clock::now() + 60ms, answers);
  CHECK(statuses(answers) == std::map<std::uint64_t, int>{{1, 202}, {3, 503}});
  BatchBuilder next(4);
  CHECK(queue.take(next, 0ms, answers));
  CHECK(next.size() == 2);
  CHECK(statuses(answers)[2] == 202);
}

TEST_CASE("http_server: stopping refuses what was not taken, and closing refuses what was not acknowledged") {
  IngestQueue queue({});
  IngestQueue::Answers answers;
  queue.offer(1, parse(lines(0, 3)), 10, answers);
  queue.offer(2, parse(lines(3, 6)), 10, answers);  // parts of 4 and 2
  BatchBuilder out(4);
  CHECK(queue.take(out, 0ms, answers));  // 1 whole (3 records), 2 left for the next batch
  CHECK(out.size() == 3);
  BatchBuilder part(4);
  CHECK(queue.take(part, 0ms, answers));  // the first part of 2
  queue.stop(answers);
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].connection == 2);
  CHECK(answers[0].status == 503);
  CHECK_THAT(answers[0].body, Catch::Contains("part of this request was taken"));
  BatchBuilder none(4);
  CHECK_FALSE(queue.take(none, 0ms, answers));
  queue.offer(9, parse(lines(0, 1)), 10, answers);
  CHECK(statuses(answers)[9] == 503);
  queue.close(answers);  // request 1 was never acknowledged
  CHECK(statuses(answers)[1] == 503);
}

TEST_CASE("http_server: max_requests ends the stream once they are read, and empty requests answer at once") {
  IngestQueue queue({.max_requests = 2});
  IngestQueue::Answers answers;
  queue.offer(1, parse(""), 0, answers);
  CHECK(statuses(answers) == std::map<std::uint64_t, int>{{1, 200}});
  queue.offer(2, parse(lines(0, 1)), 10, answers);
  queue.offer(3, parse(lines(1, 1)), 10, answers);  // a third: refused
  CHECK(statuses(answers)[3] == 503);
  BatchBuilder out(4);
  CHECK_FALSE(queue.take(out, 0ms, answers));  // the last records, and the end
  CHECK(out.size() == 1);
}
