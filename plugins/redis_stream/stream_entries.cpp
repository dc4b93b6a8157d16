#include "stream_entries.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "format.hpp"

namespace graph_runner::plugins::redis {
namespace {

std::string_view text(const redisReply& r) { return {r.str, r.len}; }

[[noreturn]] void unexpected(std::string_view what) {
  throw std::runtime_error("unexpected reply from the server: " + std::string(what));
}

// [[id, fields], ...]
void collect_entries(const redisReply& list, std::vector<EntryView>& out) {
  if (list.type != REDIS_REPLY_ARRAY) unexpected("entries are not an array");
  for (std::size_t i = 0; i < list.elements; ++i) {
    const redisReply& e = *list.element[i];
    // XAUTOCLAIM before 7.0 returned nil for an entry deleted while pending.
    if (e.type == REDIS_REPLY_NIL) continue;
    if (e.type != REDIS_REPLY_ARRAY || e.elements != 2 || e.element[0]->type != REDIS_REPLY_STRING)
      unexpected("an entry is not [id, fields]");
    const redisReply* fields = e.element[1];
    EntryView v{text(*e.element[0]), fields->type == REDIS_REPLY_ARRAY ? fields : nullptr};
    if (v.fields && v.fields->elements % 2 != 0) unexpected("an entry's fields are not pairs");
    out.push_back(v);
  }
}

bool canonical_integer(std::string_view s) {
  std::size_t i = s.size() > 1 && s[0] == '-' ? 1 : 0;
  if (i == s.size() || (s[i] == '0' && s.size() > i + 1) || (i == 1 && s == "-0")) return false;
  for (std::size_t k = i; k < s.size(); ++k)
    if (s[k] < '0' || s[k] > '9') return false;
  return true;
}

}  // namespace

void collect_read(const redisReply& reply, std::vector<EntryView>& out) {
  if (reply.type == REDIS_REPLY_NIL) return;
  if (reply.type != REDIS_REPLY_ARRAY) unexpected("XREADGROUP did not answer with an array");
  for (std::size_t s = 0; s < reply.elements; ++s) {
    const redisReply& stream = *reply.element[s];
    if (stream.type != REDIS_REPLY_ARRAY || stream.elements != 2) unexpected("a stream is not [name, entries]");
    collect_entries(*stream.element[1], out);
  }
}

std::string collect_claimed(const redisReply& reply, std::vector<EntryView>& out, std::size_t& deleted) {
  if (reply.type != REDIS_REPLY_ARRAY || reply.elements < 2 || reply.element[0]->type != REDIS_REPLY_STRING)
    unexpected("XAUTOCLAIM did not answer [cursor, entries, ...]");
  collect_entries(*reply.element[1], out);
  deleted = reply.elements >= 3 && reply.element[2]->type == REDIS_REPLY_ARRAY ? reply.element[2]->elements : 0;
  return std::string(text(*reply.element[0]));
}

Value field_value(BatchBuilder& b, std::string_view s, bool parse_numbers) {
  if (parse_numbers && !s.empty() && s.size() < 32) {
    if (canonical_integer(s)) {
      std::int64_t i = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
      if (ec == std::errc() && end == s.data() + s.size()) return Value::of(i);  // else out of range: a string
    } else if ((s[0] >= '0' && s[0] <= '9') || s[0] == '-') {
      double d = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
      if (ec == std::errc() && end == s.data() + s.size() && std::isfinite(d)) {
        std::string back;
        append_double(back, d, false);
        if (back == s) return Value::of(d);
      }
    }
  }
  return b.string(s);
}

RecordWriter::RecordWriter(bool parse_numbers, const std::string& id_field)
    : parse_numbers_(parse_numbers), with_id_(!id_field.empty()), id_field_(with_id_ ? field(id_field) : Field{}) {}

Field RecordWriter::intern(std::string_view name) {
  auto it = fields_.find(name);
  if (it != fields_.end()) return it->second;
  return fields_.emplace(std::string(name), field(name)).first->second;
}

void RecordWriter::add(BatchBuilder& b, const EntryView& entry) {
  const std::size_t row = b.add_record();
  if (with_id_) b.set(row, id_field_, b.string(entry.id));
  const redisReply& f = *entry.fields;
  for (std::size_t i = 0; i + 1 < f.elements; i += 2) {
    if (f.element[i]->type != REDIS_REPLY_STRING || f.element[i + 1]->type != REDIS_REPLY_STRING)
      unexpected("an entry field is not a string");
    b.set(row, intern(text(*f.element[i])), field_value(b, text(*f.element[i + 1]), parse_numbers_));
  }
}

}  // namespace graph_runner::plugins::redis
