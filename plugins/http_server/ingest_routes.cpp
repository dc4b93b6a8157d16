#include "ingest_routes.hpp"

#include <openssl/crypto.h>

#include "http_head.hpp"

namespace graph_runner::plugins {
namespace {

using net::http_response;

IngestRoutes::Reply refuse(int status, std::string_view why, std::string_view extra = {}) {
  return {http_response(status, "{\"error\":" + json_string(why) + "}\n", "application/json", extra, true), true,
          false};
}

// Compared in constant time (for a given length): how long the comparison takes tells an
// attacker nothing about how many leading characters were right.
bool token_matches(std::string_view got, const std::string& want) {
  const std::string_view prefix = "Bearer ";
  if (got.size() < prefix.size() || !net::equals_ignore_case(got.substr(0, prefix.size()), prefix)) return false;
  got.remove_prefix(prefix.size());
  if (got.size() != want.size()) return false;
  return CRYPTO_memcmp(got.data(), want.data(), want.size()) == 0;
}

}  // namespace

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += {'\\', c};
    else if (static_cast<unsigned char>(c) < 0x20) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\u%04x", c);
      out += hex;
    } else out += c;
  }
  return out + "\"";
}

std::optional<BodyFormat> IngestRoutes::format_of(std::optional<std::string_view> content_type) const {
  if (options_.format == "ndjson") return BodyFormat::ndjson;
  if (options_.format == "json") return BodyFormat::json;
  if (!content_type) return BodyFormat::ndjson;  // one object per line is the plain case
  std::string_view type = content_type->substr(0, content_type->find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  if (net::equals_ignore_case(type, "application/json")) return BodyFormat::json;
  for (const char* ndjson : {"application/x-ndjson", "application/ndjson", "application/jsonl",
                             "application/x-jsonlines", "application/jsonlines"})
    if (net::equals_ignore_case(type, ndjson)) return BodyFormat::ndjson;
  return std::nullopt;
}

std::optional<IngestRoutes::Reply> IngestRoutes::check_head(std::string_view text) const {
  std::string error;
  const auto head = net::parse_http_head(text, error);
  if (!head) return refuse(400, error);
  if (!options_.health_path.empty() && head->path == options_.health_path) return std::nullopt;
  if (head->path != options_.path) return refuse(404, "no such path; records are posted to " + options_.path);
  if (head->method != "POST" && head->method != "PUT") return refuse(405, "use POST", "Allow: POST, PUT\r\n");
  if (!options_.token.empty() && !token_matches(head->field("authorization").value_or(""), options_.token))
    return refuse(401, "a valid bearer token is required", "WWW-Authenticate: Bearer\r\n");
  if (!format_of(head->field("content-type")))
    return refuse(415, "Content-Type must be application/json (an object or an array of objects) or "
                       "application/x-ndjson (one object per line)");
  return std::nullopt;
}

IngestRoutes::Reply IngestRoutes::answer(net::ConnectionLoop::Request& request) {
  std::string error;
  const auto head = net::parse_http_head(request.input, error);
  if (!head) return refuse(400, error);  // the loop checked it: not reached
  const std::size_t size = head->head_bytes + head->content_length;
  const bool close = !head->keep_alive || request.last;
  if (!options_.health_path.empty() && head->path == options_.health_path) {
    const bool get = head->method == "GET" || head->method == "HEAD";
    request.input.erase(0, size);  // `head` points into it: not used below
    if (!get) return refuse(405, "use GET", "Allow: GET, HEAD\r\n");
    // Once the source stops, the listener is closed: a refused connect is the health check's answer.
    return {http_response(200, "{\"status\":\"ok\"}\n", "application/json", {}, close), close, false};
  }
  const std::size_t body_bytes = head->content_length;
  ParsedBody body;
  const std::string_view text = std::string_view(request.input).substr(head->head_bytes, head->content_length);
  const bool parsed = parser_.parse(text, *format_of(head->field("content-type")), body, error);
  request.input.erase(0, size);  // `head` points into it: not used below
  if (!parsed) return refuse(400, error);
  IngestQueue::Answers answers;
  queue_.offer(request.id, std::move(body), body_bytes, answers, close);
  if (answers.empty()) return {{}, close, true};  // answered when acknowledged (or refused later)
  return reply(answers.front(), close);           // offer answers only its own request
}

IngestRoutes::Reply IngestRoutes::reply(const IngestQueue::Answer& answer, bool close) const {
  close = close || answer.close;
  const std::string retry = "Retry-After: " + std::to_string(options_.retry_after_s) + "\r\n";
  return {http_response(answer.status, answer.body, "application/json", answer.status == 503 ? retry : "", close),
          close, false};
}

}  // namespace graph_runner::plugins
