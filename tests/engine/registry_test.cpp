// Finding plugins by name: discovery without loading, SDK version refusal, search order,
// load failures as messages, and library lifetime. The plugin libraries used here are the
// test-only fixtures of tests/fixtures, each in its own folder.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>

#include <elf.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "parse/parse_graph.hpp"
#include "registry/elf_symbols.hpp"
#include "registry/plugin_registry.hpp"
#include "registry/plugin_symbol.hpp"
#include "validate/validate_graph.hpp"

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
    void process(const BatchPtr&, Emitter&) override {}
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

TEST_CASE("default plugin folders: GRAPH_RUNNER_PLUGIN_PATH, then the built-in folder", "[registry]") {
  const char* saved = std::getenv("GRAPH_RUNNER_PLUGIN_PATH");
  const std::string previous = saved ? saved : "";
  ::setenv("GRAPH_RUNNER_PLUGIN_PATH", ":/first::relative/second:", 1);
  const auto dirs = engine::default_plugin_dirs();
  saved ? ::setenv("GRAPH_RUNNER_PLUGIN_PATH", previous.c_str(), 1) : ::unsetenv("GRAPH_RUNNER_PLUGIN_PATH");
  // engine_tests lives in <build>/bin, like graph-runner, so the built-in folder is the build's.
  CHECK(dirs == std::vector<fs::path>{"/first", "relative/second", fs::weakly_canonical(GRAPH_RUNNER_TEST_PLUGIN_DIR)});
}

// Trust model (docs/reliability.md): a library, or the folder it is in, that others could
// have written is never loaded, and the message says which path and how to fix it.
TEST_CASE("a plugin folder or library writable by group or others is refused with the fix", "[registry][trust]") {
  const fs::path dir = fs::temp_directory_path() / ("gr-trust-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directory(dir);
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec);  // 0755, whatever the umask
  const fs::path lib = dir / "libgr_fixture_multi.so";
  fs::copy_file(multi_lib(), lib);
  fs::permissions(lib, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                           fs::perms::others_read);  // 0644

  SECTION("a folder writable by others") {
    fs::permissions(dir, fs::perms::others_write, fs::perm_options::add);  // 0757
    PluginRegistry registry;
    registry.add_search_dir(dir);
    CHECK(load_error(registry, "fixture_upper") ==
          "refusing to load plugin 'fixture_upper' in " + lib.string() + ": " + dir.string() +
              " is writable by others (mode 0757); make it writable by its owner only: chmod go-w " + dir.string());
    CHECK_FALSE(mapped(lib));
    CHECK(registry.discover().size() == 2);  // still listed: discovery runs none of its code
    // Listed, so "did you mean" must not offer the refused name back (it once said
    // "did you mean 'fixture_upper'?" for 'fixture_upper').
    engine::Diagnostics diags;
    engine::GraphSpec spec =
        engine::parse_graph_text("[stages.u]\nplugin = \"fixture_upper\"\n", "refused.toml", {}, diags);
    CHECK_FALSE(engine::validate_graph(std::move(spec), registry, diags));
    INFO(diags.format());
    const auto& all = diags.all();
    const auto refusal = std::find_if(all.begin(), all.end(), [](const auto& d) {
      return d.message.find("refusing to load plugin 'fixture_upper'") != std::string::npos;
    });
    REQUIRE(refusal != all.end());
    CHECK(refusal->hint == "");
    fs::permissions(dir, fs::perms::others_write, fs::perm_options::remove);
    CHECK(load_ok(registry, "fixture_upper")->library_path == lib);  // the fix works
  }
  SECTION("a library writable by its group") {
    fs::permissions(lib, fs::perms::group_write, fs::perm_options::add);  // 0664
    // A group others belong to: "nogroup" (needs root, as CI has); without it, nothing to test.
    if (::chown(lib.c_str(), static_cast<uid_t>(-1), 65534) != 0) {
      WARN("cannot give " << lib << " to group 65534; the shared-group case is not checked");
      fs::remove_all(dir);
      return;
    }
    PluginRegistry registry;
    registry.add_search_dir(dir);
    CHECK(load_error(registry, "fixture_count") ==
          "refusing to load plugin 'fixture_count' in " + lib.string() + ": " + lib.string() +
              " is writable by its group (mode 0664); make it writable by its owner only: chmod go-w " + lib.string());
    CHECK_FALSE(mapped(lib));
  }
  SECTION("group write in the owner's private group is fine (umask 002)") {
    const group* own = ::getgrgid(::getegid());
    const passwd* me = ::getpwuid(::geteuid());
    if (!own || !me || me->pw_gid != ::getegid() || own->gr_mem[0] != nullptr) {
      WARN("the primary group is shared; the private-group case is not checked");
    } else {
      fs::permissions(dir, fs::perms::group_write, fs::perm_options::add);  // 0775
      fs::permissions(lib, fs::perms::group_write, fs::perm_options::add);  // 0664
      PluginRegistry registry;
      registry.add_search_dir(dir);
      CHECK(load_ok(registry, "fixture_count")->library_path == lib);
    }
  }
  SECTION("a folder writable by everyone, even with the sticky bit as /tmp has") {
    fs::permissions(dir, fs::perms::all | fs::perms::sticky_bit);  // 1777
    PluginRegistry registry;
    registry.add_search_dir(dir);
    CHECK_THAT(load_error(registry, "fixture_count"),
               Catch::Contains("is writable by others (mode 1777)") && Catch::EndsWith("chmod go-w " + dir.string()));
  }
  fs::remove_all(dir);
}
