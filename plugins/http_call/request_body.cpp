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
  batch_ = &batch;
  columns_.clear();
  if (!chosen_.empty()) {
    for (Field f : chosen_) columns_.push_back(batch.find(f));
    prefixes_ = chosen_prefixes_;
    return;
  }
  prefixes_.clear();
  for (const auto& c : batch.columns()) {
    columns_.push_back(c.get());
    prefixes_.push_back(prefix_of(field_name(c->field())));
  }
}

void RequestEncoder::append_record(std::size_t i, std::string& out) const {
  const std::size_t row = batch_->row(i);
  // The `send` fields are always sent (a field the record lacks as null); all fields: those
  // the record has (an absent field is left out, as the JSON writers do).
  const bool all = chosen_.empty();
  out += '{';
  bool first = true;
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    const Column* column = columns_[c];
    if (all && !column->present(row)) continue;
    if (!first) out += ',';
    first = false;
    out += prefixes_[c];
    if (column) append_json_value(out, column->get(row));
    else out += "null";
  }
  out += '}';
}

void RequestEncoder::batch_body(BodyFormat format, std::string& out) const {
  out.clear();
  if (format == BodyFormat::json_array) out += '[';
  for (std::size_t row = 0; row < batch_->size(); ++row) {
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
