#pragma once
// Stream entries as Redis returns them (XREADGROUP, XAUTOCLAIM), and how an entry becomes
// a record: every field of the entry is a field of the record.
//
// Redis stores every value as a string. With parse_numbers (the default) a value becomes an
// int or a double only when its text is exactly how graph-runner writes that number, so a
// round trip through the redis_stream sink never changes a value's text: "42", "-7", "3.5",
// "1e+20" become numbers; "007", "+1", "1.50", "3.", " 4", "nan" stay strings.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <hiredis/hiredis.h>

#include "graph_runner/batch.hpp"

namespace graph_runner::plugins::redis {

// One entry of a reply; the views point into the reply, which must outlive them.
struct EntryView {
  std::string_view id;
  const redisReply* fields = nullptr;  // a flat array field, value, ...; nullptr: no fields
  bool has_fields() const noexcept { return fields && fields->elements >= 2; }
};

// XREADGROUP: nil (the BLOCK timed out) or [[stream, [[id, fields], ...]]]. Appends the entries.
void collect_read(const redisReply& reply, std::vector<EntryView>& out);

// XAUTOCLAIM (Redis >= 6.2): [next cursor, [[id, fields], ...], (7.0: ids deleted meanwhile)].
// Appends the entries; returns the next cursor ("0-0" when the pass is complete).
std::string collect_claimed(const redisReply& reply, std::vector<EntryView>& out, std::size_t& deleted);

// The value of one entry field: a string, or a number under the rule above.
Value field_value(BatchBuilder& b, std::string_view text, bool parse_numbers);

// Turns entries into records of a BatchBuilder; field names are interned once.
class RecordWriter {
 public:
  RecordWriter(bool parse_numbers, const std::string& id_field);
  // Appends one record for an entry that has fields.
  void add(BatchBuilder& b, const EntryView& entry);

 private:
  Field intern(std::string_view name);
  bool parse_numbers_;
  bool with_id_;
  Field id_field_;
  std::map<std::string, Field, std::less<>> fields_;
};

}  // namespace graph_runner::plugins::redis
