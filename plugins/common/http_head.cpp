#include "http_head.hpp"

#include <charconv>

namespace graph_runner::net {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_token_char(c)) return false;
  return true;
}

// Whether a comma-separated field value lists `word` (Connection: keep-alive, Upgrade).
bool lists(std::string_view value, std::string_view word) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    if (equals_ignore_case(trim(value.substr(0, comma)), word)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = char(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::optional<std::string_view> HttpHead::field(std::string_view name) const {
  for (const auto& [n, v] : fields)
    if (equals_ignore_case(n, name)) return v;
  return std::nullopt;
}

std::optional<HttpHead> parse_http_head(std::string_view input, std::string& error) {
  const auto end = input.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    error = "incomplete request head";
    return std::nullopt;
  }
  HttpHead head;
  head.head_bytes = end + 4;
  std::string_view rest = input.substr(0, end + 2);  // every line ends with \r\n
  const auto next_line = [&rest]() {
    const auto eol = rest.find("\r\n");
    const std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol + 2);
    return line;
  };
  // request line: METHOD SP TARGET SP HTTP/1.x
  const std::string_view line = next_line();
  const auto sp1 = line.find(' '), sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) {
    error = "bad request line";
    return std::nullopt;
  }
  head.method = line.substr(0, sp1);
  head.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!is_token(head.method) || head.target.empty() || head.target.front() != '/' ||
      head.target.find(' ') != std::string_view::npos) {
    error = "bad request line";
    return std::nullopt;
  }
  if (version == "HTTP/1.1") head.minor_version = 1;
  else if (version == "HTTP/1.0") head.minor_version = 0;
  else {
    error = "unsupported HTTP version";
    return std::nullopt;
  }
  head.path = head.target.substr(0, head.target.find('?'));
  head.keep_alive = head.minor_version == 1;
  std::optional<std::size_t> length;
  while (!rest.empty()) {
    const std::string_view field = next_line();
    const auto colon = field.find(':');
    // no obsolete line folding, no space before the colon (RFC 9112 5.1, 5.2)
    if (colon == std::string_view::npos || !is_token(field.substr(0, colon))) {
      error = "bad header field";
      return std::nullopt;
    }
    const std::string_view name = field.substr(0, colon), value = trim(field.substr(colon + 1));
    head.fields.emplace_back(name, value);
    if (equals_ignore_case(name, "content-length")) {
      std::size_t n = 0;
      const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || ec != std::errc() || p != value.data() + value.size() || (length && *length != n)) {
        error = "bad Content-Length";
        return std::nullopt;
      }
      length = n;
    } else if (equals_ignore_case(name, "transfer-encoding")) {
      head.chunked = true;
    } else if (equals_ignore_case(name, "connection")) {
      if (lists(value, "close")) head.keep_alive = false;
      else if (lists(value, "keep-alive")) head.keep_alive = true;
    } else if (equals_ignore_case(name, "expect")) {
      head.expect_continue = equals_ignore_case(value, "100-continue");
    }
  }
  if (head.chunked && length) {
    error = "both Content-Length and Transfer-Encoding";
    return std::nullopt;
  }
  head.content_length = length.value_or(0);
  return head;
}

const char* http_reason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

std::string http_response(int status, std::string_view body, std::string_view content_type,
                          std::string_view extra_headers, bool close) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + http_reason(status) + "\r\n";
  if (!body.empty()) out.append("Content-Type: ").append(content_type).append("\r\n");
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out.append(extra_headers);
  if (close) out += "Connection: close\r\n";
  out += "\r\n";
  out.append(body);
  return out;
}

}  // namespace graph_runner::net
