// Parameter schema helpers and typed getters.
#include "graph_runner/params.hpp"

namespace graph_runner {

std::string_view param_type_name(ParamType t) noexcept {
  switch (t) {
    case ParamType::boolean: return "bool";
    case ParamType::integer: return "int";
    case ParamType::number: return "number";
    case ParamType::string: return "string";
    case ParamType::string_list: return "list of strings";
    case ParamType::string_map: return "table of strings";
  }
  return "?";
}

namespace {
ParamSpec make(std::string name, ParamType type, std::string doc) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = type;
  s.doc = std::move(doc);
  return s;
}

template <class T>
const T& typed(const Params& p, std::string_view name, const char* what) {
  const ParamValue* v = p.find(name);
  if (!v) throw ParamError(std::string(name), "parameter '" + std::string(name) + "' is not set");
  if (const T* t = std::get_if<T>(v)) return *t;
  throw ParamError(std::string(name), "parameter '" + std::string(name) + "' is not " + what);
}
}  // namespace

ParamSpec ParamSpec::boolean(std::string n, std::string d) { return make(std::move(n), ParamType::boolean, std::move(d)); }
ParamSpec ParamSpec::integer(std::string n, std::string d) { return make(std::move(n), ParamType::integer, std::move(d)); }
ParamSpec ParamSpec::number(std::string n, std::string d) { return make(std::move(n), ParamType::number, std::move(d)); }
ParamSpec ParamSpec::string(std::string n, std::string d) { return make(std::move(n), ParamType::string, std::move(d)); }
ParamSpec ParamSpec::string_list(std::string n, std::string d) { return make(std::move(n), ParamType::string_list, std::move(d)); }
ParamSpec ParamSpec::string_map(std::string n, std::string d) { return make(std::move(n), ParamType::string_map, std::move(d)); }

const ParamValue* Params::find(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

bool Params::get_bool(std::string_view n) const { return typed<bool>(*this, n, "a bool"); }
std::int64_t Params::get_int(std::string_view n) const { return typed<std::int64_t>(*this, n, "an integer"); }
double Params::get_number(std::string_view n) const {
  const ParamValue* v = find(n);
  if (v)
    if (const auto* i = std::get_if<std::int64_t>(v)) return static_cast<double>(*i);
  return typed<double>(*this, n, "a number");
}
const std::string& Params::get_string(std::string_view n) const { return typed<std::string>(*this, n, "a string"); }
const std::vector<std::string>& Params::get_string_list(std::string_view n) const {
  return typed<std::vector<std::string>>(*this, n, "a list of strings");
}
const StringMap& Params::get_string_map(std::string_view n) const { return typed<StringMap>(*this, n, "a table of strings"); }

}  // namespace graph_runner
