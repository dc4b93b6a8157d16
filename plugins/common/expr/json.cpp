#include "json.hpp"

#include <simdjson.h>

#include <string>

#include "../pool.hpp"
#include "functions.hpp"

namespace graph_runner::expr {
namespace {

// A parser per concurrent call, reused (its buffers grow to the longest document). Not a
// thread_local: this code is in dlopen()ed plugins, where a thread-local is dynamic TLS
// (see pool.hpp). What a parse returns points into its parser: hold the lease while using it.
using Parsers = plugins::Pool<simdjson::dom::parser>;
Parsers::Lease parser() {
  static Parsers parsers([] { return std::make_unique<simdjson::dom::parser>(); });
  return parsers.acquire();
}

simdjson::dom::array parse_array(simdjson::dom::parser& parser, std::string_view text) {
  simdjson::dom::element doc;
  if (parser.parse(text.data(), text.size()).get(doc) != simdjson::SUCCESS)
    throw RowFailure{"not valid JSON: " + std::string(text.substr(0, 40))};
  simdjson::dom::array a;
  if (doc.get_array().get(a) != simdjson::SUCCESS) throw RowFailure{"not a JSON array: " + std::string(text.substr(0, 40))};
  return a;
}

// An element as a Value; strings, arrays and objects point into `keep` (or the parser).
Value element_value(simdjson::dom::element e, std::string& keep) {
  switch (e.type()) {
    case simdjson::dom::element_type::NULL_VALUE: return Value{};
    case simdjson::dom::element_type::BOOL: return Value::of(bool(e.get_bool().value_unsafe()));
    case simdjson::dom::element_type::INT64: return Value::of(std::int64_t(e.get_int64().value_unsafe()));
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE: return Value::of(double(e.get_double().value_unsafe()));
    case simdjson::dom::element_type::STRING: return Value::string_ref(e.get_string().value_unsafe());
    default:
      keep = simdjson::minify(e);
      return Value::string_ref(keep, Type::json);
  }
}

}  // namespace

void for_each_json_element(std::string_view text, const std::function<void(const Value&)>& f) {
  std::string keep;
  auto p = parser();
  for (simdjson::dom::element e : parse_array(*p, text)) f(element_value(e, keep));
}

Value json_element(std::string_view text, std::int64_t index, Arena& arena) {
  auto p = parser();
  simdjson::dom::array a = parse_array(*p, text);
  const auto size = static_cast<std::int64_t>(a.size());
  if (index < 0) index += size;
  if (index < 0 || index >= size) return Value{};
  std::string keep;
  Value v = element_value(a.at(static_cast<std::size_t>(index)).value_unsafe(), keep);
  if (v.is_text()) v = Value::string_ref(arena.copy(v.as_string()), v.type());
  return v;
}

}  // namespace graph_runner::expr
