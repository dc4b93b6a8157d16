#pragma once
// A request body to records, all or nothing: NDJSON through read_jsonl's parser (the same
// fields, types and error messages), or one JSON document — an object (one record) or an
// array of objects. The first error rejects the whole body, as "body:LINE:COL: message".
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "block_reader.hpp"
#include "json_fields.hpp"
#include "jsonl_parser.hpp"

namespace graph_runner::plugins {

enum class BodyFormat { ndjson, json };

struct ParsedBody {
  std::vector<ParsedBatch> parts;  // at most batch_records records each
  std::size_t records = 0;
};

class BodyParser {
 public:
  // `max_body_bytes`: the buffer bodies are copied into (with simdjson's padding) is
  // allocated once, at this size: simdjson re-allocates its own buffers whenever it changes.
  BodyParser(std::size_t batch_records, std::size_t max_body_bytes);

  // False, with `error` set, when the body is not valid in that format.
  bool parse(std::string_view body, BodyFormat format, ParsedBody& out, std::string& error);

 private:
  bool parse_json(std::size_t size, ParsedBody& out, std::string& error);
  ParsedBatch& batch_for_next_record(std::vector<ParsedBatch>& parts);
  std::string position(const char* at, std::size_t size) const;

  const std::size_t batch_records_;
  TextBlock block_;  // the body, padded for simdjson
  JsonlParser lines_;
  simdjson::ondemand::parser json_;
  JsonFields fields_;
  std::string what_;
};

}  // namespace graph_runner::plugins
