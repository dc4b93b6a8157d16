#include "body_encoder.hpp"

#include "csv_text.hpp"
#include "format.hpp"

namespace graph_runner::plugins::http {

std::optional<BodyFormat> body_format(std::string_view name) {
  if (name == "ndjson") return BodyFormat::ndjson;
  if (name == "json") return BodyFormat::json_array;
  if (name == "csv") return BodyFormat::csv;
  return std::nullopt;
}

std::string_view content_type(BodyFormat format) {
  switch (format) {
    case BodyFormat::ndjson: return "application/x-ndjson";
    case BodyFormat::json_array: return "application/json";
    case BodyFormat::csv: return "text/csv; charset=utf-8";
  }
  return "application/octet-stream";
}

void BodyEncoder::encode(const Batch& batch, std::string& out) {
  out.clear();
  if (format_ == BodyFormat::csv) {
    const auto columns = batch.columns();
    for (std::size_t j = 0; j < columns.size(); ++j) {
      if (j > 0) out += ',';
      append_csv_field(out, field_name(columns[j]->field()), ',');
    }
    out += '\n';
    batch.for_each_row([&](std::size_t row) {  // null and absent alike: an empty field
      for (std::size_t j = 0; j < columns.size(); ++j) {
        if (j > 0) out += ',';
        append_csv_value(out, columns[j]->get(row), ',');
      }
      out += '\n';
    });
    return;
  }
  json_layout(batch, layout_);
  const bool array = format_ == BodyFormat::json_array;
  if (array) out += '[';
  for (std::size_t row = 0; row < batch.size(); ++row) {
    if (array && row > 0) out += ',';
    append_json_record(out, batch, row, layout_);
    if (!array) out += '\n';
  }
  if (array) out += "]";
}

}  // namespace graph_runner::plugins::http
