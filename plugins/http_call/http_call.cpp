// http_call: sends records to an HTTP service and merges its JSON answer into them (enrich),
// or keeps the records the service approves (filter). One request per batch (a JSON array
// or NDJSON of the chosen fields) or one per record; answers matched to records by position
// or by a key field. Network outcomes follow the http sink's rules (http_client.hpp): 2xx
// ok; 408, 429, 5xx, timeouts and connection errors are transient (retried under the node's
// `retries`/`backoff_ms`, honouring Retry-After, then `on_error`); other statuses and
// unusable answers are permanent (`on_error` at once; routed records carry http_status and
// http_body). One HTTP connection per instance: `blocking = true` + `concurrency = N` keeps
// N requests in flight in the I/O arena.
#include <string>
#include <vector>

#include "graph_runner/sdk.hpp"
#include "http_call_options.hpp"
#include "http_client.hpp"
#include "merge.hpp"
#include "request_body.hpp"
#include "response_items.hpp"

namespace graph_runner::plugins {
namespace {

class HttpCall : public Stage {
 public:
  explicit HttpCall(Context& c)
      : options_(read_http_call_options(c)),
        client_(options_.client),
        encoder_(options_.send),
        parser_(options_.response),
        merger_(options_.merge),
        request_(options_.request),
        what_(request_.method + " " + http::redact_url(request_.url)) {}

  void process(BatchPtr in, Emitter& out) override {
    if (in->empty()) return;
    encoder_.use(*in);
    ResponseItems items;
    items.items.reserve(in->size());
    if (options_.per_record) {
      for (std::size_t row = 0; row < in->size(); ++row) call_record(row, items);
    } else {
      encoder_.batch_body(options_.format, body_);
      const http::Response& r = send();
      try {
        parser_.parse_batch(r.body, items);
      } catch (const ResponseError& e) {
        unusable(r, e.what());
      }
    }
    // Matched before the input is taken: a response that cannot be matched fails the call
    // with the input as it came.
    std::vector<std::int64_t> item_of_row;
    try {
      item_of_row = merger_.match(*in, options_.key, items);
    } catch (const ResponseError& e) {
      unusable(last_, e.what());
    }
    MergeResult result = merger_.merge(out.take(std::move(in)), items, item_of_row, parser_.slot_names(), options_.key);
    for (const auto& [row, why] : result.rejected) out.reject(*result.all, row, why);
    if (result.out) out.emit(std::move(result.out));
  }

 private:
  // One request with body_; throws unless the answer is 2xx and complete.
  const http::Response& send() {
    if (options_.gzip) {
      compressed_ = http::gzip(body_);
      request_.body = compressed_;
    } else {
      request_.body = body_;
    }
    last_ = client_.send(request_);
    http::throw_unless_ok(last_, what_);
    if (last_.body_truncated)
      unusable(last_, "the response is larger than max_response_bytes (" + std::to_string(options_.client.body_excerpt) + ")");
    return last_;
  }

  // Per record: a permanent failure rejects the record alone; a transient one fails the call
  // (the engine retries the whole batch: the records answered before are asked again).
  void call_record(std::size_t row, ResponseItems& items) {
    encoder_.record_body(row, body_);
    const std::size_t before = items.items.size();
    std::string problem;
    try {
      parser_.parse_record(send().body, items);
      return;
    } catch (const TransientError&) {
      throw;
    } catch (const ResponseError& e) {
      problem = describe(last_, e.what());
    } catch (const CallError& e) {
      problem = e.what();
    }
    items.items.resize(before);  // the parser may have begun an item
    ResponseItem& failed = items.items.emplace_back();
    failed.kind = ResponseItem::Kind::failed;
    failed.problem = std::move(problem);
  }

  std::string describe(const http::Response& r, const std::string& why) const {
    std::string text = what_ + ": HTTP " + std::to_string(r.status) + ": " + why;
    if (!r.body.empty()) text += ": " + http::excerpt(r.body);
    return text;
  }

  [[noreturn]] void unusable(const http::Response& r, const std::string& why) const {
    throw CallError(describe(r, why),
                    {{"http_status", std::int64_t{r.status}}, {"http_body", http::excerpt(r.body, 1024)}});
  }

  HttpCallOptions options_;
  http::Client client_;
  RequestEncoder encoder_;
  ResponseParser parser_;
  ResponseMerger merger_;
  http::Request request_;
  const std::string what_;  // "POST URL" for messages, without credentials
  http::Response last_;
  std::string body_, compressed_;
};

}  // namespace

PluginDescriptor describe_http_call() {
  return PluginDescriptor::stage<HttpCall>(
             "http_call", "enriches or filters records through an HTTP service's JSON answers")
      .with_params(http_call_params());
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_STAGE_PLUGIN(http_call, graph_runner::plugins::describe_http_call)
