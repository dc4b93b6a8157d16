#include "response_items.hpp"

#include <cmath>

#include "format.hpp"
#include "graph_runner/field_path.hpp"
#include "json_fields.hpp"

namespace graph_runner::plugins {

namespace od = simdjson::ondemand;

namespace {

[[noreturn]] void fail(simdjson::error_code e, std::string_view what) {
  throw ResponseError(std::string(what) + ": " + simdjson::error_message(e));
}

std::string_view skip_space(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  return s;
}

// Nothing but white space after the value read (simdjson 3.0 has no document::at_end).
bool at_end(od::document& doc) { return doc.current_location().error() == simdjson::OUT_OF_BOUNDS; }

}  // namespace

bool key_text(const Value& v, std::string& out) {
  out.clear();
  switch (v.type()) {
    case Type::string: out.assign(v.as_string()); return true;
    case Type::int64: out = std::to_string(v.as_int()); return true;
    case Type::float64: {
      const double d = v.as_double();
      if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9007199254740992.0)  // 2^53: exact
        out = std::to_string(static_cast<std::int64_t>(d));
      else
        append_double(out, d, true);
      return true;
    }
    case Type::boolean: out = v.as_bool() ? "true" : "false"; return true;
    default: return false;
  }
}

ResponseParser::ResponseParser(ResponseSpec spec) : spec_(std::move(spec)) {
  for (const auto& name : spec_.take) add_slot(name);
}

std::uint32_t ResponseParser::add_slot(std::string_view name) {
  const auto slot = static_cast<std::uint32_t>(names_.size());
  if (slots_.emplace(std::string(name), slot).second) names_.emplace_back(name);
  return slots_.find(std::string(name))->second;
}

std::int64_t ResponseParser::slot_of(std::string_view name) {
  if (auto it = slots_.find(std::string(name)); it != slots_.end()) return it->second;
  // The taken fields are fixed at construction, unless every field is taken.
  if (!spec_.take_all || name == spec_.key || name == spec_.keep) return -1;
  return add_slot(name);
}

simdjson::error_code ResponseParser::read_object(od::object& object, ResponseItem& item, Arena& arena) {
  for (auto member : object) {
    od::field f;
    if (auto e = std::move(member).get(f)) return e;
    std::string_view name;
    if (auto e = f.unescaped_key().get(name)) return e;
    const bool is_key = !spec_.key.empty() && name == spec_.key;
    const bool is_keep = !spec_.keep.empty() && name == spec_.keep;
    const std::int64_t slot = slot_of(name);  // before reading the value: `name` lives until then
    if (!is_key && !is_keep && slot < 0) continue;  // not read: simdjson skips it
    if (!is_key && !is_keep) {
      od::object inner;
      bool nested = false;
      if (auto e = as_nested(f.value(), inner, nested)) return e;
      if (nested) {
        std::string path;
        append_path_key(path, name);
        if (auto e = read_nested(inner, path, item, arena, 1)) return e;
        continue;
      }
    }
    Value v;
    if (auto e = to_value(f.value(), arena, v)) return e;
    if (is_key) {
      std::string text;
      if (key_text(v, text)) item.key = std::move(text);
    }
    if (is_keep) {
      if (v.type() == Type::boolean) item.keep = v.as_bool();
      else item.problem = "field '" + spec_.keep + "' of the response is " + std::string(type_name(v.type())) + ", expected a bool";
    }
    if (slot >= 0) item.values.emplace_back(static_cast<std::uint32_t>(slot), v);
  }
  if (!spec_.keep.empty() && !item.keep && item.problem.empty())
    item.problem = "the response has no field '" + spec_.keep + "'";
  return simdjson::SUCCESS;
}

// A non-empty object: its members become fields of their own (`user.country`), as the jsonl
// source reads records; empty objects and arrays stay json values of their text.
simdjson::error_code ResponseParser::as_nested(od::value& json, od::object& object, bool& nested) {
  nested = is_nested_object(json);
  return nested ? json.get_object().get(object) : simdjson::SUCCESS;
}

simdjson::error_code ResponseParser::read_nested(od::object& object, std::string& path, ResponseItem& item,
                                                 Arena& arena, int depth) {
  const std::size_t parent = path.size();
  for (auto member : object) {
    od::field f;
    if (auto e = std::move(member).get(f)) return e;
    std::string_view key;
    if (auto e = f.unescaped_key().get(key)) return e;
    path.resize(parent);
    path += '.';
    append_path_key(path, key);
    od::object inner;
    bool nested = false;
    if (depth < max_nesting) {
      if (auto e = as_nested(f.value(), inner, nested)) return e;
    }
    if (nested) {
      if (auto e = read_nested(inner, path, item, arena, depth + 1)) return e;
      continue;
    }
    Value v;
    if (auto e = to_value(f.value(), arena, v)) return e;
    item.values.emplace_back(add_slot(path), v);  // under a taken member: every path is taken
  }
  path.resize(parent);
  return simdjson::SUCCESS;
}

template <class Json>
simdjson::error_code ResponseParser::read_item(Json& json, ResponseItems& out) {
  ResponseItem& item = out.items.emplace_back();
  od::json_type type;
  if (auto e = json.type().get(type)) return e;
  switch (type) {
    case od::json_type::object: {
      item.kind = ResponseItem::Kind::object;
      od::object object;
      if (auto e = json.get_object().get(object)) return e;
      return read_object(object, item, *out.arena);
    }
    case od::json_type::boolean: {
      item.kind = ResponseItem::Kind::boolean;
      bool b;
      if (auto e = json.get_bool().get(b)) return e;
      item.keep = b;
      return simdjson::SUCCESS;
    }
    case od::json_type::null: {
      item.kind = ResponseItem::Kind::null;
      bool is_null;
      if (auto e = json.is_null().get(is_null)) return e;
      return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
    default: {
      item.kind = ResponseItem::Kind::other;
      item.problem = "the response item is not an object or a bool";
      // Read it anyway, so that invalid JSON is found.
      Value ignored;
      if constexpr (std::is_same_v<Json, od::value>) {
        return to_value(json, *out.arena, ignored);
      } else {
        std::string_view raw;
        return json.raw_json_token().get(raw);
      }
    }
  }
}

void ResponseParser::parse_batch(std::string_view body, ResponseItems& out) {
  const std::string_view start = skip_space(body);
  simdjson::padded_string padded(body);
  if (!spec_.results.empty() || (!start.empty() && start.front() == '[')) {
    od::document doc;
    if (auto e = parser_.iterate(padded).get(doc)) fail(e, "the response is not JSON");
    od::array items;
    if (!spec_.results.empty()) {
      od::object top;
      if (auto e = doc.get_object().get(top)) fail(e, "the response is not a JSON object (results = \"" + spec_.results + "\")");
      auto member = top.find_field_unordered(spec_.results);
      if (member.error() == simdjson::NO_SUCH_FIELD) throw ResponseError("the response has no member '" + spec_.results + "'");
      if (auto e = member.get_array().get(items)) fail(e, "member '" + spec_.results + "' of the response is not an array");
    } else if (auto e = doc.get_array().get(items)) {
      fail(e, "the response is not valid JSON");  // it starts with [
    }
    for (auto element : items) {
      od::value v;
      if (auto e = element.get(v)) fail(e, "the response is not valid JSON");
      if (auto e = read_item(v, out)) fail(e, "the response is not valid JSON");
    }
    if (!spec_.results.empty()) return;  // the rest of the object is not read
    if (auto e = at_end(doc) ? simdjson::SUCCESS : simdjson::TRAILING_CONTENT) fail(e, "the response is not one JSON array");
    return;
  }
  if (start.empty()) return;  // no items (a mismatch for a non-empty batch, found by the caller)
  od::document_stream stream;
  if (auto e = parser_.iterate_many(padded).get(stream)) fail(e, "the response is not NDJSON");
  for (auto it = stream.begin(); it != stream.end(); ++it) {
    od::document_reference doc;
    if (auto e = (*it).get(doc)) fail(e, "the response is not valid NDJSON");
    if (auto e = read_item(doc, out)) fail(e, "the response is not valid NDJSON");
  }
  if (stream.truncated_bytes() > 0) throw ResponseError("the response ends in the middle of a JSON value");
}

void ResponseParser::parse_record(std::string_view body, ResponseItems& out) {
  simdjson::padded_string padded(body);
  od::document doc;
  if (auto e = parser_.iterate(padded).get(doc)) fail(e, "the response is not JSON");
  if (auto e = read_item(doc, out)) fail(e, "the response is not valid JSON");
  if (!at_end(doc)) throw ResponseError("the response is not one JSON value");
}

}  // namespace graph_runner::plugins
