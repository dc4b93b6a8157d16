#pragma once
// Response items (response_items.hpp) -> records: each record's item found by position or
// by key, its fields merged into the record, or its keep flag deciding whether the record
// goes on.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "graph_runner/batch.hpp"
#include "graph_runner/params.hpp"
#include "response_items.hpp"

namespace graph_runner::plugins {

/// What becomes of a record the response has no item for (key not found, or a null item).
enum class Unmatched { keep, drop, reject };

struct MergeOptions {
  bool filter = false;  ///< keep the records whose item says true, drop those that say false
  Unmatched unmatched = Unmatched::keep;
  std::string prefix;   ///< before the name of each field taken (unless renamed)
  StringMap rename;     ///< response field -> record field
};

struct MergeResult {
  BatchPtr out;  ///< the records that go on, with the response's fields; nullptr when none
  std::vector<std::pair<std::uint32_t, std::string>> rejected;  ///< input records (indexes), and why
  BatchPtr all;  ///< every input record, merged: the batch to reject `rejected` from
};

class ResponseMerger {
 public:
  explicit ResponseMerger(MergeOptions options) : options_(std::move(options)) {}

  /// Item i belongs to record i. A different count fails the call (ResponseError).
  MergeResult by_position(const BatchPtr& in, const ResponseItems& items, const std::vector<std::string>& slot_names);
  /// Items belong to the records whose field `key` has the item's key (as text, see
  /// key_text); a key repeated in the response: the last item wins.
  MergeResult by_key(const BatchPtr& in, Field key, const ResponseItems& items, const std::vector<std::string>& slot_names);

  /// The two steps of the above, for a stage that changes its input in place: match()
  /// only reads `in` (and throws ResponseError for a count mismatch by position; `key`
  /// invalid: by position), merge() writes into `batch` (from Emitter::take).
  /// match(): per record of `in`, the index of its item, or -1.
  std::vector<std::int64_t> match(const Batch& in, Field key, const ResponseItems& items) const;
  MergeResult merge(std::shared_ptr<Batch> batch, const ResponseItems& items, std::span<const std::int64_t> item_of_row,
                    const std::vector<std::string>& slot_names, Field key);

 private:
  Field target(std::uint32_t slot, const std::vector<std::string>& slot_names);

  MergeOptions options_;
  std::vector<Field> targets_;  // by slot
};

}  // namespace graph_runner::plugins
