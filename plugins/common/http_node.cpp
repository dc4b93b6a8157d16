#include "http_node.hpp"

#include <unistd.h>

#include <cctype>

namespace graph_runner::plugins::http {
namespace {

// RFC 9110 token characters, for header names.
bool is_token(std::string_view name) {
  if (name.empty()) return false;
  for (char ch : name)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || std::string_view("!#$%&'*+-.^_`|~").find(ch) != std::string_view::npos))
      return false;
  return true;
}

}  // namespace

std::vector<ParamSpec> connection_params(const std::string& url_doc, std::int64_t timeout_ms) {
  return {
      ParamSpec::string("url", url_doc).mandatory(),
      ParamSpec::string("method", "request method").with_default("POST").one_of({"POST", "PUT"}),
      ParamSpec::boolean("gzip", "compress the body (Content-Encoding: gzip)").with_default(false),
      ParamSpec::string_map("headers", "extra request headers; values may use ${VAR} (tokens) and are never logged")
          .with_default(StringMap{}),
      ParamSpec::integer("timeout_ms", "limit for a whole request; past it the request is a transient failure")
          .with_default(timeout_ms)
          .at_least(1),
      ParamSpec::integer("connect_timeout_ms", "limit for connecting (at most timeout_ms)")
          .with_default(std::int64_t{10000})
          .at_least(1),
      ParamSpec::string("ca_file", "PEM file of the CA certificates to trust instead of the system's; \"\" = system")
          .with_default(""),
      ParamSpec::boolean("tls_verify", "check the server's certificate and name; false is insecure and logged as a "
                                       "warning")
          .with_default(true),
  };
}

ClientOptions client_options(const Context& c) {
  ClientOptions o;
  o.timeout = std::chrono::milliseconds(c.params().get_int("timeout_ms"));
  o.connect_timeout = std::chrono::milliseconds(c.params().get_int("connect_timeout_ms"));
  o.ca_file = c.params().get_string("ca_file");
  o.tls_verify = c.params().get_bool("tls_verify");
  if (!o.ca_file.empty() && ::access(o.ca_file.c_str(), R_OK) != 0)
    c.param_error("ca_file", "cannot read '" + o.ca_file + "' (a PEM file of trusted CA certificates)");
  return o;
}

Request request_template(const Context& c, std::string_view content_type) {
  Request r;
  r.url = c.params().get_string("url");
  if (auto why = check_url(r.url)) c.param_error("url", *why);
  r.method = c.params().get_string("method");
  r.content_type = content_type;
  const bool gzip = c.params().get_bool("gzip");
  for (const auto& [name, value] : c.params().get_string_map("headers")) {
    if (!is_token(name)) c.param_error("headers", "'" + name + "' is not a valid header name");
    // Never the value in a message: it may be a token.
    if (value.find_first_of("\r\n") != std::string::npos || value.find('\0') != std::string::npos)
      c.param_error("headers", "the value of header '" + name + "' holds a line break or NUL");
    std::string lower;
    for (char ch : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (lower == "content-type") r.content_type = {};  // theirs replaces ours
    if (lower == "content-encoding" && gzip)
      c.param_error("headers", "Content-Encoding is set by gzip = true; remove one of them");
    r.headers.push_back({name, value});
  }
  if (gzip) r.headers.push_back({"Content-Encoding", "gzip"});
  if (!c.params().get_bool("tls_verify") && c.instance() == 0)
    c.log(LogLevel::warn, "TLS VERIFICATION IS OFF (tls_verify = false): the server's certificate and name are not "
                          "checked, so anyone on the network path can read and change what is sent to " +
                              redact_url(r.url));
  return r;
}

}  // namespace graph_runner::plugins::http
