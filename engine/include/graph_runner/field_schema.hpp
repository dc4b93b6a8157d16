#pragma once
/// @file field_schema.hpp
/// SDK 2.1: what a node knows of its records' fields before the run starts (see
/// Context::declare_fields). The engine follows the declarations from the sources down the
/// graph; where every upstream node declared its fields, a field that a node reads but no
/// upstream node produces is an error of `validate --instantiate` and `run`, at the
/// parameter that reads it, with "did you mean".

#include <string>
#include <vector>

namespace graph_runner {

struct FieldSchema {
  /// A field the node reads (a dotted path, field_path.hpp), and the parameter that names
  /// it: an error about the field points at that parameter in the graph file.
  struct Read {
    std::string field;
    std::string param;
  };
  std::vector<Read> reads{};
  /// Fields the node's records get: all of a source's fields; a stage's new or replaced ones.
  std::vector<std::string> writes{};
  /// Fields a stage's records lose (`drop`; `rename`'s old names). A path removes its
  /// nested fields too (`user` removes `user.id`).
  std::vector<std::string> removes{};
  /// Stages: the output keeps the input's fields (filter, map), or has only `writes`
  /// (select, aggregate).
  bool keeps_input = true;
};

}  // namespace graph_runner
