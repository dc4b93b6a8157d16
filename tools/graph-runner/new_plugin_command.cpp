// `graph-runner new-plugin NAME --kind source|stage|sink [--dir DIR]`: a plugin project
// that builds, tests and runs as generated (the files come from scaffold/templates/).
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <system_error>

#include "commands.hpp"
#include "registry/plugin_registry.hpp"
#include "scaffold/scaffold.hpp"

namespace graph_runner::cli {
namespace {
namespace fs = std::filesystem;

struct NewPluginArgs {
  std::string name, kind, dir;
};

// Quoted for a POSIX shell when it has to be: the README's commands are copied and pasted.
std::string shell_word(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-+=:,") ==
                        std::string::npos)
    return s;
  std::string quoted = "'";
  for (char c : s) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// The generated README names this graph-runner and, when it is an installed one, its
// prefix (what find_package(GraphRunner) needs). A build tree has no CMake package: PREFIX
// stays a placeholder, and `installed` false.
std::map<std::string, std::string> install_vars(bool& installed) {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  std::map<std::string, std::string> vars{{"GRAPH_RUNNER_VERSION", GRAPH_RUNNER_PACKAGE_VERSION},
                                          {"GRAPH_RUNNER", ec ? "graph-runner" : shell_word(exe.string())},
                                          {"PREFIX", "<graph-runner prefix>"}};
  installed = false;
  if (ec) return vars;
  const fs::path prefix = fs::weakly_canonical(exe.parent_path() / "..", ec);
  if (!ec && fs::exists(prefix / GRAPH_RUNNER_PACKAGE_SUBDIR / "GraphRunnerConfig.cmake", ec)) {
    vars["PREFIX"] = shell_word(prefix.string());
    installed = true;
  }
  return vars;
}

// A project named like a plugin of its kind graph-runner already finds would shadow it (or
// be shadowed) depending on the search order: refuse the name instead. Names are per kind:
// a sink may be called like a source (the built-in csv and jsonl are both).
void check_name_is_free(const std::string& name, const std::string& kind) {
  engine::PluginRegistry registry;
  for (const auto& d : engine::default_plugin_dirs()) registry.add_search_dir(d);
  for (const auto& entry : registry.discover())
    if (entry.name == name && (!entry.kind || node_kind_name(*entry.kind) == kind))
      throw scaffold::UsageError("a " + kind + " plugin named '" + name + "' already exists (" +
                                 entry.library_path.string() + "); choose another name");
}

// The ```sh block of the generated README: printed, so that the next steps are on screen.
std::string readme_commands(const fs::path& readme) {
  std::ifstream in(readme);
  std::string line, block;
  bool inside = false;
  while (std::getline(in, line)) {
    if (inside && line == "```") break;
    if (inside) block += "  " + line + "\n";
    if (line == "```sh") inside = true;
  }
  return block;
}

int new_plugin(const NewPluginArgs& args) {
  try {
    if (auto problem = scaffold::name_problem(args.name)) throw scaffold::UsageError(*problem);
    check_name_is_free(args.name, args.kind);
    bool installed = false;
    scaffold::Request request{args.name, args.kind, args.dir.empty() ? fs::path(args.name) : fs::path(args.dir),
                              install_vars(installed)};
    const auto files = scaffold::write_project(request);
    const std::string dir = request.dir.string();
    std::cout << "Created the " << args.kind << " plugin project '" << args.name << "' in " << dir << ":\n";
    for (const auto& f : files) std::cout << "  " << (request.dir / f).string() << '\n';
    std::cout << "\nBuild, test and run it (README.md says more):\n  cd " << shell_word(dir) << '\n'
              << readme_commands(request.dir / "README.md");
    if (!installed)
      std::cerr << "graph-runner: note: this graph-runner is not an installed one, so there is no GraphRunner "
                   "package beside it to build against: install it (cmake --install <its build folder> --prefix "
                   "<folder>) and use that folder for <graph-runner prefix>.\n";
    return exit_ok;
  } catch (const scaffold::UsageError& e) {
    std::cerr << "graph-runner: new-plugin: error: " << e.what() << '\n';
    return exit_bad_graph;
  }
}

}  // namespace

Subcommand add_new_plugin_command(CLI::App& parent) {
  auto args = std::make_shared<NewPluginArgs>();
  CLI::App* app = parent.add_subcommand(
      "new-plugin", "Create a plugin project: CMakeLists.txt, the plugin with its schema, a unit test, a sample graph");
  app->add_option("NAME", args->name, "Plugin name, as graph files write it: [a-z][a-z0-9_]*")->required();
  app->add_option("--kind", args->kind, "What the plugin is: source (makes records), stage (transforms them) or sink")
      ->required()
      ->check(CLI::IsMember(scaffold::kinds()))
      ->type_name("KIND");
  app->add_option("--dir", args->dir, "Folder to create the project in (default: ./NAME); must be missing or empty")
      ->type_name("DIR");
  app->footer(R"(Examples:
  graph-runner new-plugin scale --kind stage
  graph-runner new-plugin ticks --kind source --dir plugins/ticks
  graph-runner new-plugin to_file --kind sink

The project builds against an installed graph-runner (find_package(GraphRunner)); its
README.md has the three commands to build, test and run its sample graph.
Exit codes: 0 created, 2 bad name, kind or folder (nothing written).)");
  return {app, [args] { return new_plugin(*args); }};
}

}  // namespace graph_runner::cli
