#include "http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <stdexcept>

namespace graph_runner::plugins::http {
namespace {

void global_init() {
  static std::once_flag once;  // curl_global_init is not thread-safe on every build
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("libcurl failed to initialise");
  });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

// Failures no retry can mend: the request or the TLS set-up is wrong, not the moment.
bool permanent_curl_error(CURLcode code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_LOGIN_DENIED:
    case CURLE_TOO_MANY_REDIRECTS:
      return true;
    default:
      return false;
  }
}

}  // namespace

struct Client::Handle {
  CURL* curl = nullptr;
  char error[CURL_ERROR_SIZE] = {};
  Response* response = nullptr;  // the one being filled
  std::size_t keep = 0;

  static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
    auto& r = *static_cast<Handle*>(user)->response;
    std::string_view line(data, size * n);
    if (line.starts_with("HTTP/")) r.headers.clear();  // a new answer (after 100 Continue)
    else if (auto colon = line.find(':'); colon != std::string_view::npos)
      r.headers.emplace_back(lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
    return size * n;
  }
  static std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
    auto& h = *static_cast<Handle*>(user);
    const std::size_t bytes = size * n, room = h.keep - std::min(h.keep, h.response->body.size());
    h.response->body.append(data, std::min(bytes, room));
    if (bytes > room) h.response->body_truncated = true;
    return bytes;  // read on to the end, so the connection stays usable
  }
};

Client::Client(ClientOptions options) : options_(std::move(options)), handle_(new Handle) {
  global_init();
  handle_->curl = curl_easy_init();
  if (!handle_->curl) {
    delete handle_;
    throw std::runtime_error("libcurl could not create a handle");
  }
  handle_->keep = options_.body_excerpt;
  CURL* c = handle_->curl;
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, handle_->error);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // a redirected POST is the caller's business
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min(options_.connect_timeout, options_.timeout).count()));
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // any compression libcurl can decode
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, options_.tls_verify ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, options_.tls_verify ? 2L : 0L);
  if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &Handle::on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, handle_);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Handle::on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, handle_);
}

Client::~Client() {
  curl_easy_cleanup(handle_->curl);
  delete handle_;
}

Response Client::send(const Request& request) {
  Response r;
  CURL* c = handle_->curl;
  handle_->response = &r;
  handle_->error[0] = '\0';
  curl_slist* headers = nullptr;
  auto add = [&](const std::string& line) {
    if (curl_slist* next = curl_slist_append(headers, line.c_str())) headers = next;
    else throw std::bad_alloc();
  };
  struct Free {
    curl_slist*& list;
    ~Free() { curl_slist_free_all(list); }
  } free_headers{headers};
  if (!request.content_type.empty()) add("Content-Type: " + std::string(request.content_type));
  add("Expect:");  // no 100-continue round trip (a second's wait with servers that ignore it)
  for (const auto& h : request.headers) add(h.value.empty() ? h.name + ";" : h.name + ": " + h.value);
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  if (request.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, nullptr);
  } else {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method == "POST" ? nullptr : request.method.c_str());
  }
  const CURLcode code = curl_easy_perform(c);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);  // the list is freed below
  handle_->response = nullptr;
  double seconds = 0;
  curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &seconds);
  r.seconds = seconds;
  if (code != CURLE_OK) {
    r.status = 0;
    r.outcome = permanent_curl_error(code) ? Outcome::permanent : Outcome::transient;
    r.error = handle_->error[0] ? std::string(handle_->error) : std::string(curl_easy_strerror(code));
    if (code == CURLE_PEER_FAILED_VERIFICATION)
      r.error += " (the server's certificate is not trusted: give its CA in ca_file)";
    return r;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  r.outcome = classify_status(r.status);
  if (r.outcome == Outcome::ok) return r;
  r.error = "HTTP " + std::to_string(r.status);
  if (r.outcome == Outcome::transient)
    if (const std::string* after = r.header("retry-after"))
      r.retry_after = parse_retry_after(*after, std::chrono::system_clock::now()).value_or(std::chrono::milliseconds(0));
  return r;
}

const std::string* Response::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (n == name) return &v;
  return nullptr;
}

Outcome classify_status(long status) noexcept {
  if (status >= 200 && status < 300) return Outcome::ok;
  if (status == 408 || status == 429 || (status >= 500 && status < 600)) return Outcome::transient;
  return Outcome::permanent;
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    if (value.size() > 9) return std::chrono::hours(24 * 365 * 30);  // absurd; the engine caps it anyway
    return std::chrono::seconds(std::stol(std::string(value)));
  }
  // An HTTP-date (IMF-fixdate, or the obsolete RFC 850 and asctime forms): libcurl parses all three.
  const std::string text(value);
  const time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  const auto delta = std::chrono::system_clock::from_time_t(when) - now;
  return std::max(std::chrono::milliseconds(0), std::chrono::duration_cast<std::chrono::milliseconds>(delta));
}

std::optional<std::string> check_url(std::string_view url) {
  const std::string l = lower(url.substr(0, 8));
  std::size_t rest;
  if (l.starts_with("http://")) rest = 7;
  else if (l.starts_with("https://")) rest = 8;
  else return "'" + redact_url(url) + "' is not an http:// or https:// URL";
  const std::string_view authority = url.substr(rest, url.find_first_of("/?#", rest) - rest);
  const std::string_view host = authority.substr(authority.rfind('@') == std::string_view::npos ? 0 : authority.rfind('@') + 1);
  if (host.empty() || host.front() == ':') return "'" + redact_url(url) + "' has no host";
  for (char ch : url)
    if (static_cast<unsigned char>(ch) <= ' ') return "'" + redact_url(url) + "' holds a space or control character";
  return std::nullopt;
}

std::string redact_url(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const std::size_t start = scheme + 3, end = std::min(url.find_first_of("/?#", start), url.size());
  const std::size_t at = url.substr(start, end - start).rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, start)) + "***@" + std::string(url.substr(start + at + 1));
}

std::string excerpt(std::string_view text, std::size_t max) {
  std::string out(text.substr(0, max));
  for (char& ch : out)
    if (static_cast<unsigned char>(ch) < ' ' || ch == '\x7f') ch = ' ';
  if (text.size() > max) out += "...";
  return out;
}

}  // namespace graph_runner::plugins::http
