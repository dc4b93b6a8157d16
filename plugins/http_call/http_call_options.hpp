#pragma once
// http_call's parameters: the schema, and the checked options the stage runs with.
#include <string>
#include <vector>

#include "graph_runner/context.hpp"
#include "graph_runner/params.hpp"
#include "graph_runner/value.hpp"
#include "http_client.hpp"
#include "merge.hpp"
#include "request_body.hpp"
#include "response_items.hpp"

namespace graph_runner::plugins {

struct HttpCallOptions {
  http::Request request;  // URL, method, headers, content type: the body is set per call
  http::ClientOptions client;
  bool gzip = false;
  bool per_record = false;
  BodyFormat format = BodyFormat::json_array;
  std::vector<std::string> send;  // record fields sent; empty = all
  Field key;                      // the record's key field; invalid = match by position
  ResponseSpec response;
  MergeOptions merge;
};

std::vector<ParamSpec> http_call_params();

/// The options of a node; a combination that cannot work is a Context::param_error.
HttpCallOptions read_http_call_options(const Context& c);

}  // namespace graph_runner::plugins
