#pragma once
// Records -> request body for the http sink: NDJSON, a JSON array or CSV, built with the
// same text formats as the jsonl and csv sinks (plugins/common/format.hpp, csv_text.hpp).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "format.hpp"
#include "graph_runner/batch.hpp"

namespace graph_runner::plugins::http {

enum class BodyFormat { ndjson, json_array, csv };

// "ndjson", "json", "csv" -> the format (the schema's choices).
std::optional<BodyFormat> body_format(std::string_view name);
// The Content-Type a format is sent with.
std::string_view content_type(BodyFormat format);

class BodyEncoder {
 public:
  explicit BodyEncoder(BodyFormat format) : format_(format) {}
  // The whole batch as one body, replacing `out`'s content. CSV: a header row of the
  // batch's fields, then one row per record.
  void encode(const Batch& batch, std::string& out);

 private:
  BodyFormat format_;
  JsonLayout layout_;  // how records are written as JSON, per batch
};

}  // namespace graph_runner::plugins::http
