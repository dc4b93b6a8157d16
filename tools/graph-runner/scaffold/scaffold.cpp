#include "scaffold.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <system_error>

#include "templates.hpp"

namespace graph_runner::cli::scaffold {
namespace fs = std::filesystem;

namespace {

// Target names CMake keeps for itself: add_library(test ...) fails with a message that
// would be the user's first experience of the generated project.
constexpr std::array reserved_targets{"all", "clean", "depend", "edit_cache", "help", "install",
                                      "install_local", "install_strip", "list_install_components",
                                      "package", "package_source", "rebuild_cache", "test"};

constexpr std::size_t max_name_length = 64;

// "stage/@NAME@.cpp.in" -> kind "stage", output path "@NAME@.cpp" (not yet rendered).
struct TemplateFile {
  std::string_view kind;  // "common" or one of kinds()
  std::string_view path;
  std::string_view text;
};

TemplateFile split(const EmbeddedTemplate& t) {
  const auto slash = t.path.find('/');
  std::string_view path = t.path.substr(slash + 1);
  path.remove_suffix(3);  // ".in"
  return {t.path.substr(0, slash), path, t.text};
}

// Nothing is written into a folder that holds anything: a second run, or a typo in --dir,
// must not overwrite someone's work.
void check_dir_is_free(const fs::path& dir) {
  std::error_code ec;
  const auto status = fs::status(dir, ec);
  if (!fs::exists(status)) return;
  if (!fs::is_directory(status)) throw UsageError("'" + dir.string() + "' exists and is not a folder");
  if (!fs::is_empty(dir, ec) || ec)
    throw UsageError("folder '" + dir.string() + "' already exists and is not empty; choose another --dir, "
                     "or remove it first (nothing was written)");
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write '" + path.string() + "'");
}

}  // namespace

const std::vector<std::string>& kinds() {
  static const std::vector<std::string> all{"source", "stage", "sink"};
  return all;
}

std::optional<std::string> name_problem(std::string_view name) {
  const std::string quoted = "'" + std::string(name) + "'";
  if (name.empty()) return std::string("the plugin name is empty");
  if (!std::islower(static_cast<unsigned char>(name[0])))
    return "plugin name " + quoted + " must start with a lowercase letter (a-z)";
  for (char c : name)
    if (!std::islower(static_cast<unsigned char>(c)) && !std::isdigit(static_cast<unsigned char>(c)) && c != '_')
      return "plugin name " + quoted + " may only contain a-z, 0-9 and _ (it is a C++ identifier and a graph-file name)";
  if (name.find("__") != std::string_view::npos)
    return "plugin name " + quoted + " must not contain '__' (reserved in C++ identifiers)";
  if (name.size() > max_name_length)
    return "plugin name " + quoted + " is longer than " + std::to_string(max_name_length) + " characters";
  if (std::find(reserved_targets.begin(), reserved_targets.end(), name) != reserved_targets.end())
    return "plugin name " + quoted + " is reserved by CMake (a built-in target name)";
  return std::nullopt;
}

std::string pascal_case(std::string_view snake) {
  std::string out;
  bool upper = true;
  for (char c : snake) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

std::string render(std::string_view text, const std::map<std::string, std::string>& vars) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto at = text.find('@', pos);
    if (at == std::string_view::npos) break;
    auto end = at + 1;
    while (end < text.size() && (std::isupper(static_cast<unsigned char>(text[end])) || text[end] == '_')) ++end;
    if (end == at + 1 || end == text.size() || text[end] != '@') {  // a lone '@': plain text
      out.append(text.substr(pos, at + 1 - pos));
      pos = at + 1;
      continue;
    }
    const std::string var(text.substr(at + 1, end - at - 1));
    const auto it = vars.find(var);
    if (it == vars.end()) throw std::logic_error("template variable @" + var + "@ has no value");
    out.append(text.substr(pos, at - pos));
    out += it->second;
    pos = end + 1;
  }
  out.append(text.substr(pos));
  return out;
}

std::vector<fs::path> write_project(const Request& request) {
  if (auto problem = name_problem(request.name)) throw UsageError(*problem);
  if (std::find(kinds().begin(), kinds().end(), request.kind) == kinds().end())
    throw UsageError("unknown kind '" + request.kind + "': expected source, stage or sink");
  check_dir_is_free(request.dir);

  std::map<std::string, std::string> vars = request.vars;
  vars["NAME"] = request.name;
  vars["CLASS"] = pascal_case(request.name) + pascal_case(request.kind);  // ScaleStage: never an SDK name
  vars["KIND"] = request.kind;

  // Render everything first: a template problem leaves no half-written project behind.
  std::vector<std::pair<fs::path, std::string>> files;
  for (const EmbeddedTemplate& t : embedded_templates()) {
    const TemplateFile f = split(t);
    if (f.kind != "common" && f.kind != request.kind) continue;
    files.emplace_back(render(f.path, vars), render(f.text, vars));
  }

  fs::create_directories(request.dir);
  std::vector<fs::path> written;
  for (const auto& [path, text] : files) {
    write_file(request.dir / path, text);
    written.push_back(path);
  }
  return written;
}

}  // namespace graph_runner::cli::scaffold
