// Finding plugins by name: discovery without loading, SDK version refusal, search order,
// load failures as messages, and library lifetime. The plugin libraries used here are the
// test-only fixtures of tests/fixtures, each in its own folder.
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>

#include <elf.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "registry/elf_symbols.hpp"
#include "registry/plugin_registry.hpp"
#include "registry/plugin_symbol.hpp"

namespace {

namespace fs = std::filesystem;
using namespace graph_runner;
using graph_runner::engine::PluginRegistry;

fs::path fixture_dir(const char* name) { return fs::path(GRAPH_RUNNER_TEST_FIXTURE_DIR) / name; }
fs::path fixture_lib(const char* dir, const char* target) {
  return fs::canonical(fixture_dir(dir) / (std::string("lib") + target + ".so"));
}
fs::path multi_lib() { return fixture_lib("multi", "gr_fixture_multi"); }

// Whether the dynamic loader has `library` mapped into this process right now.
bool mapped(const fs::path& library) {
  std::ifstream maps("/proc/self/maps");
  const std::string text{std::istreambuf_iterator<char>(maps), std::istreambuf_iterator<char>()};
  return text.find(library.string()) != std::string::npos;
}

std::string sdk(int major, int minor) { return "SDK " + std::to_string(major) + "." + std::to_string(minor); }

const engine::PluginEntry* find(const std::vector<engine::PluginEntry>& entries, std::string_view name) {
  for (const auto& e : entries)
    if (e.name == name) return &e;
  return nullptr;
}

std::shared_ptr<const engine::LoadedPlugin> load_ok(PluginRegistry& registry, std::string_view name) {
  std::string error;
  auto plugin = registry.load(name, error);
  INFO(error);
  REQUIRE(plugin);
  return plugin;
}

std::string load_error(PluginRegistry& registry, std::string_view name) {
  std::string error;
  CHECK_FALSE(registry.load(name, error));
  return error;
}

// Just enough of a Context to create a fixture node; it keeps what the plugin logs.
class RecordingContext : public Context {
 public:
  mutable std::vector<std::string> logged;
  std::string_view node_name() const noexcept override { return "node"; }
  std::string_view plugin_name() const noexcept override { return "fixture_upper"; }
  const Params& params() const noexcept override { return params_; }
  std::size_t instance() const noexcept override { return 0; }
  Port port(std::string_view) const override { return {}; }
  std::size_t batch_size() const noexcept override { return 1; }
  std::size_t linger_ms() const noexcept override { return 0; }
  bool stop_requested() const noexcept override { return false; }
  void log(LogLevel, std::string_view message) const override { logged.emplace_back(message); }

 private:
  Params params_;
};

class NullEmitter : public Emitter {
 public:
  using Emitter::emit;
  void emit(Port, BatchPtr) override {}
  void reject(const Batch&, std::size_t, std::string_view) override {}
};

}  // namespace

TEST_CASE("discovery lists every plugin of a library without loading it", "[registry]") {
  REQUIRE_FALSE(mapped(multi_lib()));
  PluginRegistry registry;
  registry.add_search_dir(fixture_dir("multi"));
  const auto entries = registry.discover();
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].name == "fixture_count");  // sorted by name
  CHECK(entries[1].name == "fixture_upper");
  for (const auto& e : entries) {
    CHECK(e.library_path == multi_lib());
    CHECK(e.sdk_major == sdk_version_major);
    CHECK(e.sdk_minor == sdk_version_minor);
  }
  CHECK_FALSE(mapped(multi_lib()));
}

TEST_CASE("a plugin built for another SDK version is refused, naming both versions", "[registry]") {
  PluginRegistry registry;
  registry.add_search_dir(fixture_dir("future"));
  const auto future_lib = fixture_lib("future", "gr_fixture_future");
  const std::string ours = sdk(sdk_version_major, sdk_version_minor);
  CHECK(load_error(registry, "future_plugin") ==
        "plugin 'future_plugin' in " + future_lib.string() + " was built for SDK 99.0; this graph-runner provides " +
            ours + " (rebuild the plugin against SDK " + std::to_string(sdk_version_major) + ".x)");
  const std::string newer = load_error(registry, "newer_minor_plugin");
  CHECK_THAT(newer, Catch::Contains(sdk(sdk_version_major, 999)) && Catch::Contains("provides " + ours) &&
                        Catch::Contains(future_lib.string()));
  CHECK(registry.discover().size() == 2);  // still listed, so `plugins` can show them
  CHECK_FALSE(mapped(future_lib));         // refused before any of its code could run
}

TEST_CASE("an unknown plugin names every folder searched", "[registry]") {
  PluginRegistry registry;
  CHECK(load_error(registry, "nope") == "unknown plugin 'nope' (no plugin folders)");
  registry.add_search_dir(fixture_dir("multi"));
  registry.add_search_dir("/no/such/folder");  // missing folders are skipped, yet listed
  registry.add_search_dir(fixture_dir("not_elf"));
  CHECK(load_error(registry, "nope") == "unknown plugin 'nope' (searched: " + fixture_dir("multi").string() +
                                            ", /no/such/folder, " + fixture_dir("not_elf").string() + ")");
}

TEST_CASE("search folders keep their order and ignore duplicates", "[registry]") {
  PluginRegistry registry;
  registry.add_search_dir(fixture_dir("shadow"));
  registry.add_search_dir(fixture_dir("multi"));
  registry.add_search_dir(fixture_dir("shadow"));
  registry.add_search_dir(fixture_dir("shadow") / "." / "");
  CHECK(registry.search_dirs() == std::vector<fs::path>{fixture_dir("shadow"), fixture_dir("multi")});
}

TEST_CASE("a file named like a library that is not one is skipped", "[registry]") {
  PluginRegistry registry;
  registry.add_search_dir(fixture_dir("not_elf"));
  registry.add_search_dir(fixture_dir("multi"));
  const auto entries = registry.discover();
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].library_path == multi_lib());
}

TEST_CASE("truncated and corrupted libraries never crash discovery", "[registry]") {
  std::ifstream in(multi_lib(), std::ios::binary);
  const std::string good{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const fs::path file = fs::temp_directory_path() / ("gr-registry-test-" + std::to_string(::getpid()) + ".so");
  auto read_back = [&](const std::string& bytes) {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
    return engine::detail::elf_section_symbols(file, engine::plugin_section_name);
  };
  CHECK(read_back(good)->size() == 2);
  CHECK_FALSE(read_back(""));
  for (std::size_t length : {std::size_t{4}, sizeof(Elf64_Ehdr) - 1, good.size() / 2, good.size() - 1})
    CHECK_FALSE(read_back(good.substr(0, length)));
  std::mt19937 rng(42);  // fixed seed: the same corruptions every run
  for (int i = 0; i < 500; ++i) {
    std::string bad = good;
    for (int flips = 0; flips < 4; ++flips) {
      // Aim at the ELF header or the section header table at the end, where offsets live.
      const std::size_t at = rng() % 2 ? rng() % 64 : bad.size() - 1 - rng() % 2048;
      bad[at] = static_cast<char>(rng());
    }
    (void)read_back(bad);  // any answer but a crash or an exception
  }
  fs::remove(file);
}

TEST_CASE("the first folder providing a name wins", "[registry]") {
  PluginRegistry shadow_first;
  shadow_first.add_search_dir(fixture_dir("shadow"));
  shadow_first.add_search_dir(fixture_dir("multi"));
  CHECK(load_ok(shadow_first, "fixture_upper")->descriptor.summary == "shadow fixture");
  CHECK(load_ok(shadow_first, "fixture_count")->library_path == multi_lib());  // only multi has it

  PluginRegistry multi_first;
  multi_first.add_search_dir(fixture_dir("multi"));
  multi_first.add_search_dir(fixture_dir("shadow"));
  CHECK(find(multi_first.discover(), "fixture_upper")->library_path == multi_lib());
  CHECK(load_ok(multi_first, "fixture_upper")->library_path == multi_lib());
}

TEST_CASE("folders added after discovery are searched too", "[registry]") {
  PluginRegistry registry;
  registry.add_search_dir(fixture_dir("multi"));
  CHECK(registry.discover().size() == 2);
  registry.add_search_dir(fixture_dir("shadow"));
  CHECK(registry.discover().size() == 3);  // + misnamed_plugin; fixture_upper stays multi's
  CHECK(find(registry.discover(), "fixture_upper")->library_path == multi_lib());
}

TEST_CASE("a plugin loaded twice is the same object, and its library is loaded once", "[registry]") {
  PluginRegistry registry;
  registry.add_search_dir(fixture_dir("multi"));
  const auto upper = load_ok(registry, "fixture_upper");
  CHECK(load_ok(registry, "fixture_upper") == upper);
  const auto count = load_ok(registry, "fixture_count");
  CHECK(count->library == upper->library);
  CHECK(upper->descriptor.kind == NodeKind::stage);
  CHECK(count->descriptor.kind == NodeKind::sink);
  CHECK(upper->descriptor.params.size() == 1);
}

TEST_CASE("a node created from a plugin keeps its library mapped after the registry is gone", "[registry]") {
  RecordingContext context;
  NullEmitter emitter;
  std::unique_ptr<Stage> stage;
  {
    auto plugin = [] {
      PluginRegistry registry;
      registry.add_search_dir(fixture_dir("multi"));
      return load_ok(registry, "fixture_upper");
    }();
    REQUIRE(mapped(multi_lib()));
    stage = plugin->descriptor.create_stage(context);  // std::function from the library
    stage->finish(emitter);                            // virtual call into the library
    CHECK(context.logged == std::vector<std::string>{"fixture_upper created", "fixture_upper finished"});
    stage.reset();
  }
  // Nothing holds the library any more: it is unloaded (so the check above can fail).
  CHECK_FALSE(mapped(multi_lib()));
}

TEST_CASE("a plugin compiled into the process is found before any library", "[registry]") {
  struct Local : Stage {
    explicit Local(Context&) {}
    void process(BatchPtr, Emitter&) override {}
  };
  PluginRegistry registry;
  registry.add_search_dir(fixture_dir("multi"));
  registry.add_static(PluginDescriptor::stage<Local>("fixture_upper", "static"));
  const auto plugin = load_ok(registry, "fixture_upper");
  CHECK(plugin->descriptor.summary == "static");
  CHECK_FALSE(plugin->library);
  CHECK(find(registry.discover(), "fixture_upper")->library_path.empty());
  CHECK(find(registry.discover(), "fixture_count")->library_path == multi_lib());
  CHECK_FALSE(mapped(multi_lib()));
}

TEST_CASE("a library the loader refuses gives a message naming plugin and library", "[registry]") {
  PluginRegistry registry;
  registry.add_search_dir(fixture_dir("unresolved"));
  const auto lib = fixture_lib("unresolved", "gr_fixture_unresolved");
  CHECK_THAT(load_error(registry, "unresolved_plugin"),
             Catch::StartsWith("cannot load plugin 'unresolved_plugin' in " + lib.string() + ": ") &&
                 Catch::Contains("undefined symbol: graph_runner_fixture_symbol_nobody_defines"));
}

TEST_CASE("a registration whose descriptor gives another name is refused", "[registry]") {
  PluginRegistry registry;
  registry.add_search_dir(fixture_dir("shadow"));
  CHECK_THAT(load_error(registry, "misnamed_plugin"), Catch::Contains("describes itself as 'another_name'"));
}

#ifdef GRAPH_RUNNER_TEST_STRIPPED_FIXTURE
TEST_CASE("a stripped library still lists and loads its plugins", "[registry]") {
  PluginRegistry registry;
  registry.add_search_dir(fixture_dir("stripped"));
  CHECK(registry.discover().size() == 2);
  CHECK(load_ok(registry, "fixture_count")->descriptor.name == "fixture_count");
}
#endif

TEST_CASE("registration symbols carry the plugin name and SDK version", "[registry]") {
  const auto parsed = engine::parse_plugin_symbol("grsdk_1_12__json_lines2");
  REQUIRE(parsed);
  CHECK((parsed->name == "json_lines2" && parsed->sdk_major == 1 && parsed->sdk_minor == 12));
  for (const char* bad : {"grsdk_1_0_x", "grsdk_1__x", "grsdk_a_0__x", "grsdk_1_0__", "grsdk_1_0__X", "grsdk_-1_0__x",
                          "other_1_0__x", "grsdk_1_0__a-b"})
    CHECK_FALSE(engine::parse_plugin_symbol(bad));
}

TEST_CASE("registration symbols of SDK 1.3 carry the kind too", "[registry]") {
  const auto source = engine::parse_plugin_symbol("grsdk_1_3_source__csv");
  REQUIRE(source);
  CHECK((source->name == "csv" && source->kind == NodeKind::source && source->sdk_minor == 3));
  CHECK(engine::parse_plugin_symbol("grsdk_1_3_sink__csv")->kind == NodeKind::sink);
  CHECK(engine::parse_plugin_symbol("grsdk_1_3_stage__a__b")->name == "a__b");
  CHECK_FALSE(engine::parse_plugin_symbol("grsdk_1_2__csv")->kind);  // SDK 1.0-1.2: no kind
  for (const char* bad : {"grsdk_1_3_sourc__x", "grsdk_1_3_source_x", "grsdk_1_3_sink__", "grsdk_1_3_pipe__x",
                          "grsdk_1_3_source"})
    CHECK_FALSE(engine::parse_plugin_symbol(bad));
}

TEST_CASE("a source and a sink of one library may share a name, and discovery tells them apart", "[registry]") {
  const auto lib = fixture_lib("kinds", "gr_fixture_kinds");
  PluginRegistry registry;
  registry.add_search_dir(fixture_dir("kinds"));
  const auto entries = registry.discover();
  REQUIRE(entries.size() == 3);
  CHECK((entries[0].name == "fixture_io" && entries[0].kind == NodeKind::source));  // by name, then kind
  CHECK((entries[1].name == "fixture_io" && entries[1].kind == NodeKind::sink));
  CHECK((entries[2].name == "fixture_liar" && entries[2].kind == NodeKind::stage));
  CHECK_FALSE(mapped(lib));  // kinds come from the symbols
  std::string error;
  CHECK(registry.load(NodeKind::source, "fixture_io", error)->descriptor.kind == NodeKind::source);
  CHECK(registry.load(NodeKind::sink, "fixture_io", error)->descriptor.summary == "kinds fixture: a sink kinds");
  CHECK_FALSE(registry.load(NodeKind::stage, "fixture_io", error));
  CHECK(error == "there is no stage plugin 'fixture_io'; 'fixture_io' is a source and a sink");
  CHECK(registry.kinds_of("fixture_io") == std::vector<NodeKind>{NodeKind::source, NodeKind::sink});
  CHECK(load_error(registry, "fixture_io") == "'fixture_io' is a source and a sink plugin: say which kind");
}

TEST_CASE("a registration whose kind and descriptor disagree is refused", "[registry]") {
  PluginRegistry registry;
  registry.add_search_dir(fixture_dir("kinds"));
  std::string error;
  CHECK_FALSE(registry.load(NodeKind::stage, "fixture_liar", error));
  CHECK_THAT(error, Catch::EndsWith("is registered as a stage but describes a sink"));
}

TEST_CASE("two libraries of one folder providing a kind and name are an error naming both", "[registry]") {
  PluginRegistry registry;
  registry.add_search_dir(fixture_dir("clash"));
  registry.add_search_dir(fixture_dir("kinds"));
  std::string error;
  CHECK_FALSE(registry.load(NodeKind::sink, "fixture_io", error));
  CHECK(error == "sink plugin 'fixture_io' is provided by two libraries in " + fixture_dir("clash").string() +
                     ": libgr_fixture_clash_a.so and libgr_fixture_clash_b.so (remove one, or move it to a later "
                     "plugin folder)");
  // Across folders the first folder wins, as for any name.
  PluginRegistry kinds_first;
  kinds_first.add_search_dir(fixture_dir("kinds"));
  kinds_first.add_search_dir(fixture_dir("clash"));
  CHECK(kinds_first.load(NodeKind::sink, "fixture_io", error)->descriptor.summary == "kinds fixture: a sink kinds");
}

TEST_CASE("registrations without kind (SDK 1.0-1.2) are found by kind once loaded", "[registry]") {
  PluginRegistry registry;
  registry.add_search_dir(fixture_dir("multi"));
  CHECK_FALSE(registry.discover()[0].kind);
  std::string error;
  CHECK(registry.load(NodeKind::sink, "fixture_count", error));
  CHECK_FALSE(registry.load(NodeKind::stage, "fixture_count", error));
  CHECK(error == "there is no stage plugin 'fixture_count'; 'fixture_count' is a sink");
}

TEST_CASE("a plugin built against SDK 1.x is refused by SDK 2.0, naming both versions", "[registry]") {
  PluginRegistry registry;
  registry.add_search_dir(fixture_dir("older_minor"));
  const auto old = fixture_lib("older_minor", "gr_fixture_older_minor");
  CHECK(load_error(registry, "old_pass") == "plugin 'old_pass' in " + old.string() +
                                                " was built for SDK 1.3; this graph-runner provides " +
                                                sdk(sdk_version_major, sdk_version_minor) + " (rebuild the plugin against SDK " +
                                                std::to_string(sdk_version_major) + ".x)");
  CHECK_FALSE(mapped(old));  // refused before any of its code could run
}

TEST_CASE("a deprecated name gives its replacement of the same kind only", "[registry]") {
  struct Reader : Source {
    explicit Reader(Context&) {}
    bool read(BatchBuilder&) override { return false; }
  };
  PluginRegistry registry;
  registry.add_static(PluginDescriptor::source<Reader>("jsonl", "reads"));
  std::string error;
  CHECK(registry.load(NodeKind::source, "read_jsonl", error)->descriptor.name == "jsonl");
  CHECK(engine::replacement_name(NodeKind::source, "read_csv") == "csv");
  CHECK_FALSE(engine::replacement_name(NodeKind::sink, "read_csv"));
  CHECK_FALSE(registry.load(NodeKind::sink, "read_jsonl", error));
  CHECK(error == "there is no sink plugin 'read_jsonl'; 'read_jsonl' is a source");
  for (const auto& e : registry.discover()) CHECK(e.name != "read_jsonl");  // not listed: not suggested
}

TEST_CASE("default plugin folders: GRAPH_RUNNER_PLUGIN_PATH, then the built-in folder", "[registry]") {
  const char* saved = std::getenv("GRAPH_RUNNER_PLUGIN_PATH");
  const std::string previous = saved ? saved : "";
  ::setenv("GRAPH_RUNNER_PLUGIN_PATH", ":/first::relative/second:", 1);
  const auto dirs = engine::default_plugin_dirs();
  saved ? ::setenv("GRAPH_RUNNER_PLUGIN_PATH", previous.c_str(), 1) : ::unsetenv("GRAPH_RUNNER_PLUGIN_PATH");
  // engine_tests lives in <build>/bin, like graph-runner, so the built-in folder is the build's.
  CHECK(dirs == std::vector<fs::path>{"/first", "relative/second", fs::weakly_canonical(GRAPH_RUNNER_TEST_PLUGIN_DIR)});
}
