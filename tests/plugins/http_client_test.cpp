// The shared HTTP client (plugins/common/http_client.hpp) against a cpp-httplib server on
// loopback, and its pure parts: status classes, Retry-After, gzip, URLs, the SDK errors.
#include <zlib.h>

#include <chrono>
#include <ctime>
#include <thread>

#include <catch2/catch.hpp>
#include <httplib.h>

#include "body_encoder.hpp"
#include "graph_runner/errors.hpp"
#include "graph_runner/testing.hpp"
#include "http_client.hpp"

using namespace graph_runner::plugins::http;
using namespace std::chrono_literals;

namespace {

// A cpp-httplib server on a free loopback port, stopped when it goes out of scope.
struct LoopbackServer {
  httplib::Server server;
  int port = 0;
  std::thread thread;
  void start() {
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(1ms);
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port) + path; }
  ~LoopbackServer() {
    server.stop();
    if (thread.joinable()) thread.join();
  }
};

std::string gunzip(const std::string& in) {
  z_stream z{};
  REQUIRE(inflateInit2(&z, 15 + 16) == Z_OK);
  std::string out(in.size() * 20 + 1024, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  out.resize(z.total_out);
  inflateEnd(&z);
  REQUIRE(rc == Z_STREAM_END);
  return out;
}

}  // namespace

TEST_CASE("HTTP statuses fall into ok, transient and permanent", "[http]") {
  CHECK(classify_status(200) == Outcome::ok);
  CHECK(classify_status(204) == Outcome::ok);
  for (long s : {408L, 429L, 500L, 502L, 503L, 504L, 599L}) CHECK(classify_status(s) == Outcome::transient);
  for (long s : {301L, 400L, 401L, 403L, 404L, 409L, 413L, 422L}) CHECK(classify_status(s) == Outcome::permanent);
}

TEST_CASE("Retry-After is read as seconds or as an HTTP-date in any of its three forms", "[http]") {
  const auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  CHECK(parse_retry_after("120", now) == std::chrono::milliseconds(120000));
  CHECK(parse_retry_after(" 0 ", now) == std::chrono::milliseconds(0));
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now) == std::chrono::milliseconds(10000));
  CHECK(parse_retry_after("Sunday, 06-Nov-94 08:49:57 GMT", now) == std::chrono::milliseconds(20000));
  CHECK(parse_retry_after("Sun Nov  6 08:50:07 1994", now) == std::chrono::milliseconds(30000));
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now) == std::chrono::milliseconds(0));  // past
  CHECK_FALSE(parse_retry_after("soon", now));
  CHECK_FALSE(parse_retry_after("", now));
  CHECK_FALSE(parse_retry_after("-5", now));
}

TEST_CASE("gzip() makes a body zlib reads back", "[http]") {
  std::string body;
  for (int i = 0; i < 2000; ++i) body += "{\"id\":" + std::to_string(i) + ",\"name\":\"same text again\"}\n";
  const std::string packed = gzip(body);
  CHECK(packed.size() < body.size() / 4);
  CHECK(gunzip(packed) == body);
  CHECK(gunzip(gzip("")).empty());
}

TEST_CASE("URLs are checked and shown without credentials", "[http]") {
  CHECK_FALSE(check_url("http://127.0.0.1:8080/x"));
  CHECK_FALSE(check_url("HTTPS://example.com"));
  CHECK(check_url("ftp://example.com").value() == "'ftp://example.com' is not an http:// or https:// URL");
  CHECK(check_url("http:///path").value() == "'http:///path' has no host");
  CHECK(check_url("http://a b/").value() == "'http://a b/' holds a space or control character");
  CHECK(check_url("example.com/x"));
  CHECK(redact_url("https://user:pw@host:1/p?q=1") == "https://***@host:1/p?q=1");
  CHECK(redact_url("https://host/p@x") == "https://host/p@x");
  CHECK(check_url("ftp://u:secret@x").value().find("secret") == std::string::npos);
  CHECK(excerpt("a\nb\tc", 10) == "a b c");
  CHECK(excerpt(std::string(300, 'x'), 200) == std::string(200, 'x') + "...");
}

TEST_CASE("a response that is not ok becomes TransientError or CallError with status and body", "[http]") {
  Response r;
  r.outcome = Outcome::transient;
  r.status = 503;
  r.error = "HTTP 503";
  r.body = "busy";
  r.retry_after = 2000ms;
  try {
    throw_unless_ok(r, "POST http://h/p");
    FAIL("no exception");
  } catch (const graph_runner::TransientError& e) {
    CHECK(std::string(e.what()) == "POST http://h/p: HTTP 503: busy (Retry-After 2000 ms)");
    CHECK(e.retry_after() == 2000ms);
    REQUIRE(e.fields().size() == 2);
    CHECK(std::get<std::int64_t>(e.fields()[0].second) == 503);
    CHECK(std::get<std::string>(e.fields()[1].second) == "busy");
  }
  r.outcome = Outcome::permanent;
  r.status = 404;
  r.error = "HTTP 404";
  CHECK_THROWS_AS(throw_unless_ok(r, "x"), graph_runner::CallError);
  try {
    throw_unless_ok(r, "x");
  } catch (const graph_runner::TransientError&) {
    FAIL("a 404 is not transient");
  } catch (const graph_runner::CallError&) {
  }
  r.outcome = Outcome::ok;
  CHECK_NOTHROW(throw_unless_ok(r, "x"));
}

TEST_CASE("the client sends method, headers and body, keeps the connection and reads the answer", "[http]") {
  LoopbackServer s;
  std::vector<std::string> seen;
  int connections = 0;
  std::string last_remote;
  s.server.Post("/ok", [&](const httplib::Request& req, httplib::Response& res) {
    seen.push_back(req.get_header_value("X-Token") + "|" + req.get_header_value("Content-Type") + "|" + req.body);
    const std::string remote = req.remote_addr + ":" + std::to_string(req.remote_port);
    connections += remote != last_remote;
    last_remote = remote;
    res.set_content(std::string(5000, 'a'), "text/plain");
  });
  s.server.Put("/put", [&](const httplib::Request& req, httplib::Response& res) { res.set_content(req.body, "text/plain"); });
  s.server.Post("/busy", [](const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_header("Retry-After", "7");
    res.set_content("later", "text/plain");
  });
  s.server.Post("/bad", [](const httplib::Request&, httplib::Response& res) {
    res.status = 422;
    res.set_content("no such field", "text/plain");
  });
  s.start();
  Client client(ClientOptions{.timeout = 5000ms, .body_excerpt = 100});
  Request req{.url = s.url("/ok"), .headers = {{"X-Token", "t0k"}}, .content_type = "application/x-ndjson", .body = "{}\n"};
  for (int i = 0; i < 3; ++i) {
    const Response r = client.send(req);
    CHECK(r.outcome == Outcome::ok);
    CHECK(r.status == 200);
    CHECK(r.body.size() == 100);  // the excerpt; the rest read and discarded
    CHECK(r.body_truncated);
    CHECK(*r.header("content-type") == "text/plain");
  }
  CHECK(seen == std::vector<std::string>(3, "t0k|application/x-ndjson|{}\n"));
  CHECK(connections == 1);

  const Response put = client.send({.method = "PUT", .url = s.url("/put"), .body = "abc"});
  CHECK(put.status == 200);
  CHECK(put.body == "abc");

  const Response busy = client.send({.url = s.url("/busy"), .body = "x"});
  CHECK(busy.outcome == Outcome::transient);
  CHECK(busy.retry_after == 7000ms);
  CHECK(busy.body == "later");

  const Response bad = client.send({.url = s.url("/bad"), .body = "x"});
  CHECK(bad.outcome == Outcome::permanent);
  CHECK(bad.status == 422);
  CHECK(bad.error == "HTTP 422");
}

TEST_CASE("no server, or a slow one: a transient outcome without a status", "[http]") {
  LoopbackServer s;
  s.server.Post("/slow", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(1500ms);
    res.set_content("late", "text/plain");
  });
  s.start();
  Client client(ClientOptions{.timeout = 200ms});
  const auto start = std::chrono::steady_clock::now();
  const Response slow = client.send({.url = s.url("/slow"), .body = "x"});
  CHECK(std::chrono::steady_clock::now() - start < 1200ms);
  CHECK(slow.outcome == Outcome::transient);
  CHECK(slow.status == 0);
  CHECK_THAT(slow.error, Catch::Contains("timed out"));

  Client other(ClientOptions{.timeout = 2000ms});
  const Response refused = other.send({.url = "http://127.0.0.1:1/x", .body = "x"});
  CHECK(refused.outcome == Outcome::transient);
  CHECK(refused.status == 0);
  CHECK_FALSE(refused.error.empty());
}

TEST_CASE("the body encoder writes NDJSON, a JSON array and CSV with a header", "[http]") {
  graph_runner::BatchBuilder b(8);
  const auto id = graph_runner::field("id"), name = graph_runner::field("name");
  for (std::int64_t i = 0; i < 2; ++i) {
    b.column(id).append(graph_runner::Value::of(i));
    b.column(name).append(b.string(i == 0 ? "a,b" : "c"));
  }
  b.resize(2);
  const auto batch = b.finish();
  std::string out;
  BodyEncoder(BodyFormat::ndjson).encode(*batch, out);
  CHECK(out == "{\"id\":0,\"name\":\"a,b\"}\n{\"id\":1,\"name\":\"c\"}\n");
  BodyEncoder(BodyFormat::json_array).encode(*batch, out);
  CHECK(out == "[{\"id\":0,\"name\":\"a,b\"},{\"id\":1,\"name\":\"c\"}]");
  BodyEncoder(BodyFormat::csv).encode(*batch, out);
  CHECK(out == "id,name\n0,\"a,b\"\n1,c\n");
}
