#include "request_body.hpp"

#include "format.hpp"

namespace graph_runner::plugins {
namespace {

std::string prefix_of(std::string_view name) {
  std::string p;
  append_json_string(p, name);
  p += ':';
  return p;
}

}  // namespace

RequestEncoder::RequestEncoder(const std::vector<std::string>& fields) {
  for (const auto& name : fields) {
    chosen_.push_back(field(name));
    chosen_prefixes_.push_back(prefix_of(name));
  }
}

void RequestEncoder::use(const Batch& batch) {
  rows_ = batch.size();
  columns_.clear();
  if (!chosen_.empty()) {
    for (Field f : chosen_) columns_.push_back(batch.find(f));
    prefixes_ = chosen_prefixes_;
    return;
  }
  prefixes_.clear();
  for (const auto& c : batch.columns()) {
    columns_.push_back(c.get());
    prefixes_.push_back(prefix_of(field_name(c->field)));
  }
}

void RequestEncoder::append_record(std::size_t row, std::string& out) const {
  out += '{';
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (i > 0) out += ',';
    out += prefixes_[i];
    if (columns_[i]) append_json_value(out, columns_[i]->values[row]);
    else out += "null";
  }
  out += '}';
}

void RequestEncoder::batch_body(BodyFormat format, std::string& out) const {
  out.clear();
  if (format == BodyFormat::json_array) out += '[';
  for (std::size_t row = 0; row < rows_; ++row) {
    if (format == BodyFormat::json_array && row > 0) out += ',';
    append_record(row, out);
    if (format == BodyFormat::ndjson) out += '\n';
  }
  if (format == BodyFormat::json_array) out += ']';
}

void RequestEncoder::record_body(std::size_t row, std::string& out) const {
  out.clear();
  append_record(row, out);
}

}  // namespace graph_runner::plugins
