// Plugin trust (docs/security.md): a library is loaded only when it and every folder up to `/`,
// following links, belong to root or to the user and nobody else can write them. Each case
// plays an attack of issue 20 in a temporary folder. The ownership cases give a folder to
// `nobody` (uid 65534), which needs root (as CI runs); without it they say so and stop.
#include <algorithm>
#include <fstream>
#include <iterator>

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "parse/parse_graph.hpp"
#include "registry/plugin_registry.hpp"
#include "registry/plugin_trust.hpp"
#include "validate/validate_graph.hpp"

namespace {

namespace fs = std::filesystem;
using graph_runner::engine::PluginRegistry;
using graph_runner::engine::untrusted_plugin_location;

constexpr uid_t nobody = 65534;
constexpr fs::perms mode_755 = fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                               fs::perms::others_read | fs::perms::others_exec;

fs::path fixture_lib() {
  return fs::canonical(fs::path(GRAPH_RUNNER_TEST_FIXTURE_DIR) / "multi" / "libgr_fixture_multi.so");
}

// Whether the dynamic loader has `library` mapped into this process right now.
bool mapped(const fs::path& library) {
  std::ifstream maps("/proc/self/maps");
  const std::string text{std::istreambuf_iterator<char>(maps), std::istreambuf_iterator<char>()};
  return text.find(library.string()) != std::string::npos;
}

// A folder with exactly `mode`, whatever the umask.
fs::path make_dir(const fs::path& dir, fs::perms mode = mode_755) {
  fs::create_directories(dir);
  fs::permissions(dir, mode);
  return dir;
}

// A copy of the fixture library (plugins fixture_upper and fixture_count) in `dir`, mode 0644.
fs::path plant_library(const fs::path& dir) {
  const fs::path lib = dir / "libgr_fixture_multi.so";
  fs::copy_file(fixture_lib(), lib);
  fs::permissions(lib, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                           fs::perms::others_read);
  return lib;
}

// A fresh folder under the temp folder (0755, ours), removed at the end.
struct Sandbox {
  fs::path root = fs::temp_directory_path() / ("gr-trust-test-" + std::to_string(::getpid()));
  Sandbox() {
    fs::remove_all(root);
    make_dir(root);
  }
  ~Sandbox() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
};

// What loading fixture_upper from `dir` says: "" when it loads.
std::string load_from(const fs::path& dir) {
  PluginRegistry registry;
  registry.add_search_dir(dir);
  std::string error;
  return registry.load("fixture_upper", error) ? "" : error;
}

// Gives `path` (not following a link) to nobody; false, with a warning, when we may not.
bool give_to_nobody(const fs::path& path) {
  if (::lchown(path.c_str(), nobody, static_cast<gid_t>(-1)) == 0) return true;
  WARN("cannot chown " << path << " to uid 65534 (needs root): this ownership case is not checked");
  return false;
}

std::string user_text(uid_t uid) {
  const passwd* pw = ::getpwuid(uid);
  return pw ? pw->pw_name : "uid " + std::to_string(uid);
}

// The refusal for a path owned by nobody, for whoever runs the test.
std::string owned_by_nobody(const fs::path& path) {
  const std::string nobody_name = user_text(nobody);
  const std::string owner = ::getpwuid(nobody) ? nobody_name + " (uid 65534)" : nobody_name;
  const std::string head = path.string() + " is owned by " + owner + ", not ";
  if (::geteuid() == 0)
    return head + "root, so " + nobody_name + " could swap the plugin; make it root's: chown root " + path.string();
  const std::string me = user_text(::geteuid());
  return head + me + " or root, so " + nobody_name + " could swap the plugin; make it yours: chown " + me + " " +
         path.string();
}

std::string writable_by_others(const fs::path& path, const char* mode) {
  return path.string() + ", owned by " + user_text(::geteuid()) + ", is writable by others (mode " + mode +
         "); make it writable by its owner only: chmod go-w " + path.string();
}

std::string refusal(const fs::path& lib, const std::string& reason) {
  return "refusing to load plugin 'fixture_upper' in " + lib.string() + ": " + reason;
}

}  // namespace

TEST_CASE("a library in folders owned by root or by us, writable by their owner only, loads", "[trust]") {
  Sandbox box;
  const fs::path lib = plant_library(make_dir(box.root / "a" / "plugins"));
  CHECK(load_from(lib.parent_path()) == "");
  CHECK(untrusted_plugin_location(lib) == std::nullopt);
  // The build tree's own plugins, and a relative path (walked from the working folder).
  const fs::path built = fs::path(GRAPH_RUNNER_TEST_PLUGIN_DIR);
  for (const auto& entry : fs::directory_iterator(built))
    if (entry.path().extension() == ".so") CHECK(untrusted_plugin_location(entry.path()) == std::nullopt);
  const fs::path cwd = fs::current_path();
  fs::current_path(box.root / "a");
  CHECK(untrusted_plugin_location("plugins/./../plugins/libgr_fixture_multi.so") == std::nullopt);
  fs::current_path(cwd);
}

TEST_CASE("a plugin folder owned by another user is refused, naming the owner and the chown fix", "[trust]") {
  Sandbox box;
  const fs::path dir = make_dir(box.root / "other");
  const fs::path lib = plant_library(dir);
  if (!give_to_nobody(dir)) return;
  CHECK(load_from(dir) == refusal(lib, owned_by_nobody(dir)));
  CHECK_FALSE(mapped(lib));
  PluginRegistry registry;  // discovery reads symbols only, so the plugins are still listed
  registry.add_search_dir(dir);
  CHECK(registry.discover().size() == 2);
  REQUIRE(::chown(dir.c_str(), ::geteuid(), static_cast<gid_t>(-1)) == 0);
  CHECK(load_from(dir) == "");  // the fix works
}

TEST_CASE("a library owned by another user, or a folder above the plugin folder, is refused", "[trust]") {
  Sandbox box;
  const fs::path lib = plant_library(make_dir(box.root / "theirs" / "plugins"));
  SECTION("the library") {
    if (!give_to_nobody(lib)) return;
    CHECK(load_from(lib.parent_path()) == refusal(lib, owned_by_nobody(lib)));
  }
  SECTION("a parent folder: she could rename plugins/ away and make her own") {
    if (!give_to_nobody(box.root / "theirs")) return;
    CHECK(load_from(lib.parent_path()) == refusal(lib, owned_by_nobody(box.root / "theirs")));
  }
}

TEST_CASE("a 0755 plugin folder under a parent writable by others is refused", "[trust]") {
  Sandbox box;
  const fs::path parent = make_dir(box.root / "wwparent", fs::perms::all);  // 0777
  const fs::path lib = plant_library(make_dir(parent / "plugins"));
  CHECK(load_from(parent / "plugins") == refusal(lib, writable_by_others(parent, "0777")));
  CHECK_FALSE(mapped(lib));
  fs::permissions(parent, fs::perms::group_write | fs::perms::others_write, fs::perm_options::remove);
  CHECK(load_from(parent / "plugins") == "");
}

TEST_CASE("a sticky parent like /tmp is fine only for what root or we own in it", "[trust]") {
  Sandbox box;
  const fs::path sticky = make_dir(box.root / "tmp", fs::perms::all | fs::perms::sticky_bit);  // 1777
  const fs::path lib = plant_library(make_dir(sticky / "plugins"));
  CHECK(load_from(sticky / "plugins") == "");  // others cannot rename plugins/: we own it
  SECTION("a folder in it owned by another user") {
    if (!give_to_nobody(sticky / "plugins")) return;
    CHECK(load_from(sticky / "plugins") == refusal(lib, owned_by_nobody(sticky / "plugins")));
  }
  SECTION("a link planted in it by another user") {
    fs::create_directory_symlink("plugins", sticky / "link");
    if (!give_to_nobody(sticky / "link")) return;
    const fs::path through_link = sticky / "link" / lib.filename();
    CHECK(load_from(sticky / "link") == refusal(through_link, owned_by_nobody(sticky / "link")));
  }
  SECTION("never as the plugin folder itself: others could add a library") {
    const fs::path direct = plant_library(sticky);
    CHECK(load_from(sticky) == refusal(direct, writable_by_others(sticky, "1777")));
  }
}

TEST_CASE("a symlinked library is checked along its target's folders too", "[trust]") {
  Sandbox box;
  const fs::path ww = make_dir(box.root / "ww", fs::perms::all);  // 0777
  const fs::path target = plant_library(ww);
  const fs::path trusted = make_dir(box.root / "trusted");
  const fs::path link = trusted / target.filename();
  fs::create_symlink(target, link);
  CHECK(load_from(trusted) == refusal(link, writable_by_others(ww, "0777")));
  CHECK_FALSE(mapped(target));
  SECTION("a link to the plugin folder, and a relative link, the same") {
    fs::create_directory_symlink("../ww", box.root / "trusted" / "dirlink");
    CHECK(load_from(trusted / "dirlink") == refusal(trusted / "dirlink" / target.filename(),
                                                     writable_by_others(ww, "0777")));
  }
  SECTION("the fix works") {
    fs::permissions(ww, mode_755);
    CHECK(load_from(trusted) == "");
  }
}

TEST_CASE("a plugin folder or library writable by group or others is refused with the fix", "[trust]") {
  Sandbox box;
  const fs::path dir = make_dir(box.root / "plugins");
  const fs::path lib = plant_library(dir);
  SECTION("a folder writable by others") {
    fs::permissions(dir, fs::perms::others_write, fs::perm_options::add);  // 0757
    CHECK(load_from(dir) == refusal(lib, writable_by_others(dir, "0757")));
    CHECK_FALSE(mapped(lib));
    // Still listed by discovery, so "did you mean" must not offer the refused name back (it
    // once said "did you mean 'fixture_upper'?" for 'fixture_upper').
    PluginRegistry registry;
    registry.add_search_dir(dir);
    graph_runner::engine::Diagnostics diags;
    graph_runner::engine::GraphSpec spec =
        graph_runner::engine::parse_graph_text("[stages.u]\nplugin = \"fixture_upper\"\n", "refused.toml", {}, diags);
    CHECK_FALSE(graph_runner::engine::validate_graph(std::move(spec), registry, diags));
    INFO(diags.format());
    const auto& all = diags.all();
    const auto refused = std::find_if(all.begin(), all.end(), [](const auto& d) {
      return d.message.find("refusing to load plugin 'fixture_upper'") != std::string::npos;
    });
    REQUIRE(refused != all.end());
    CHECK(refused->hint == "");
    fs::permissions(dir, fs::perms::others_write, fs::perm_options::remove);
    CHECK(load_from(dir) == "");  // the fix works
  }
  SECTION("a library writable by its group") {
    fs::permissions(lib, fs::perms::group_write, fs::perm_options::add);  // 0664
    // A group others belong to: "nogroup" (needs root, as CI has); without it, nothing to test.
    if (::chown(lib.c_str(), static_cast<uid_t>(-1), 65534) != 0) {
      WARN("cannot give " << lib << " to group 65534; the shared-group case is not checked");
      return;
    }
    CHECK(load_from(dir) == refusal(lib, lib.string() + ", owned by " + user_text(::geteuid()) +
                                             ", is writable by its group (mode 0664); make it writable by its owner "
                                             "only: chmod go-w " + lib.string()));
  }
  SECTION("group write in the owner's private group is fine (umask 002)") {
    const group* own = ::getgrgid(::getegid());
    const passwd* me = ::getpwuid(::geteuid());
    if (!own || !me || me->pw_gid != ::getegid() || own->gr_mem[0] != nullptr) {
      WARN("the primary group is shared; the private-group case is not checked");
      return;
    }
    fs::permissions(dir, fs::perms::group_write, fs::perm_options::add);  // 0775
    fs::permissions(lib, fs::perms::group_write, fs::perm_options::add);  // 0664
    CHECK(load_from(dir) == "");
  }
}
