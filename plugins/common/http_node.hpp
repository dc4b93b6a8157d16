#pragma once
// What the http plugins (the `http` sink, the `http_call` stage) share about their node: the
// connection parameters, and the client options and request (URL, method, headers, gzip)
// they configure, checked the same way.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "graph_runner/context.hpp"
#include "graph_runner/params.hpp"
#include "http_client.hpp"

namespace graph_runner::plugins::http {

/// url, method, gzip, headers, timeout_ms, connect_timeout_ms, ca_file, tls_verify.
std::vector<ParamSpec> connection_params(const std::string& url_doc, std::int64_t timeout_ms);

/// The node's client options (timeouts, TLS); a ca_file that cannot be read is a param error.
ClientOptions client_options(const Context& c);

/// The node's request: URL (checked), method, headers (names and values checked; a
/// Content-Type header replaces `content_type`), Content-Encoding with gzip = true. Warns
/// loudly, once per node, when tls_verify is off. The body is the caller's.
Request request_template(const Context& c, std::string_view content_type);

}  // namespace graph_runner::plugins::http
