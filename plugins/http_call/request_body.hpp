#pragma once
// Records -> the JSON body of an http_call request: the chosen fields of each record as one
// JSON object, a batch's records as a JSON array or as NDJSON (one object per line).
#include <cstddef>
#include <string>
#include <vector>

#include "graph_runner/batch.hpp"

namespace graph_runner::plugins {

enum class BodyFormat { json_array, ndjson };

class RequestEncoder {
 public:
  /// `fields`: the record fields to send, in this order; empty = every field of the batch,
  /// in column order. A chosen field a record lacks is sent as null; with every field, a
  /// field a record lacks (absent) is left out of its object.
  explicit RequestEncoder(const std::vector<std::string>& fields);

  /// Starts on `batch`: finds its columns and their `"name":` prefixes, once per batch.
  /// `batch` must outlive the calls below.
  void use(const Batch& batch);
  /// The body for all records of the batch (replaces `out`).
  void batch_body(BodyFormat format, std::string& out) const;
  /// The body for record `row` of the batch (a record index, through its selection): one
  /// JSON object (replaces `out`).
  void record_body(std::size_t row, std::string& out) const;

 private:
  void append_record(std::size_t row, std::string& out) const;

  std::vector<Field> chosen_;
  std::vector<std::string> chosen_prefixes_;
  std::vector<const Column*> columns_;  // per field sent; nullptr: the batch lacks it
  std::vector<std::string> prefixes_;
  const Batch* batch_ = nullptr;
};

}  // namespace graph_runner::plugins
