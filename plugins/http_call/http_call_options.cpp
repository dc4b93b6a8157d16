#include "http_call_options.hpp"

#include "http_node.hpp"

namespace graph_runner::plugins {

std::vector<ParamSpec> http_call_params() {
  std::vector<ParamSpec> params = http::connection_params("the service's http:// or https:// URL", 10000);
  std::vector<ParamSpec> own = {
      ParamSpec::string("request", "one request per batch, or one per record (sent one after the other)")
          .with_default("batch").one_of({"batch", "record"}),
      ParamSpec::string("format", "a batch's request body: a JSON array of objects, or NDJSON (one object a line)")
          .with_default("json").one_of({"json", "ndjson"}),
      ParamSpec::string_list("send", "record fields sent, in this order (a missing one as null); empty = all fields")
          .with_default(std::vector<std::string>{}),
      ParamSpec::string("mode", "enrich: merge the answer's fields into the records; filter: keep the records the answer approves")
          .with_default("enrich").one_of({"enrich", "filter"}),
      ParamSpec::string("match", "answer items belong to records by position (item i to record i) or by key (see `key`)")
          .with_default("position").one_of({"position", "key"}),
      ParamSpec::string("key", "match = \"key\": the record field whose value (as text) finds its answer item")
          .with_default(""),
      ParamSpec::string("response_key", "match = \"key\": the key field of the answer's objects; empty = the same name as `key`")
          .with_default(""),
      ParamSpec::string("unmatched", "a record without an answer item (or with null): keep it unchanged, drop it, or reject it (on_error)")
          .with_default("keep").one_of({"keep", "drop", "reject"}),
      ParamSpec::string("results", "the member of the answer's top-level object that holds the items; empty = the answer is the array (or NDJSON)")
          .with_default(""),
      ParamSpec::string_list("fields", "answer fields merged into the records; empty = all (enrich) or none (filter)")
          .with_default(std::vector<std::string>{}),
      ParamSpec::string("prefix", "put before the name of each merged field, e.g. \"user_\"").with_default(""),
      ParamSpec::string_map("rename", "merged answer field -> record field, e.g. { score = \"risk\" } (no prefix then)")
          .with_default(StringMap{}),
      ParamSpec::string("keep_field", "mode = \"filter\": the bool field of an answer object that keeps its record (an item may also be a bare true/false)")
          .with_default("keep"),
      ParamSpec::integer("max_response_bytes", "a larger answer fails the call (permanent)")
          .with_default(std::int64_t{64} << 20).at_least(1),
  };
  params.insert(params.end(), own.begin(), own.end());
  return params;
}

HttpCallOptions read_http_call_options(const Context& c) {
  const Params& p = c.params();
  HttpCallOptions o;
  o.client = http::client_options(c);
  o.client.body_excerpt = static_cast<std::size_t>(p.get_int("max_response_bytes"));
  o.gzip = p.get_bool("gzip");
  o.per_record = p.get_string("request") == "record";
  o.format = p.get_string("format") == "ndjson" ? BodyFormat::ndjson : BodyFormat::json_array;
  o.request = http::request_template(c, !o.per_record && o.format == BodyFormat::ndjson ? "application/x-ndjson"
                                                                                         : "application/json");
  o.send = p.get_string_list("send");

  const bool filter = p.get_string("mode") == "filter";
  const std::string& key = p.get_string("key");
  if (p.get_string("match") == "key") {
    if (key.empty()) c.param_error("key", "match = \"key\" needs the record field to match on: key = \"FIELD\"");
    if (o.per_record) c.param_error("match", "request = \"record\" answers each record alone: match by position");
    o.key = field(key);
    o.response.key = p.get_string("response_key").empty() ? key : p.get_string("response_key");
  } else if (!key.empty()) {
    c.param_error("key", "key is for match = \"key\"; add it, or remove key");
  }
  o.response.take = p.get_string_list("fields");
  o.response.take_all = o.response.take.empty() && !filter;
  if (filter) o.response.keep = p.get_string("keep_field");
  o.response.results = p.get_string("results");
  if (o.per_record && !o.response.results.empty())
    c.param_error("results", "request = \"record\" reads one answer item per request; results is for request = \"batch\"");

  o.merge.filter = filter;
  o.merge.prefix = p.get_string("prefix");
  o.merge.rename = p.get_string_map("rename");
  const std::string& unmatched = p.get_string("unmatched");
  o.merge.unmatched = unmatched == "drop" ? Unmatched::drop : unmatched == "reject" ? Unmatched::reject : Unmatched::keep;
  return o;
}

}  // namespace graph_runner::plugins
