#pragma once
// The new-plugin templates (scaffold/templates/**.in), embedded into graph-runner when it
// is built: embed_templates.cmake turns each file into a byte array, so the templates stay
// ordinary files to read and edit, and the program needs no data folder at run time.
#include <span>
#include <string_view>

namespace graph_runner::cli::scaffold {

struct EmbeddedTemplate {
  std::string_view path;  // relative to templates/, e.g. "stage/@NAME@.cpp.in"
  std::string_view text;
};

// Every template, in path order.
std::span<const EmbeddedTemplate> embedded_templates();

}  // namespace graph_runner::cli::scaffold
