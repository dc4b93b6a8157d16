// The file sinks on a machine shared with other users (issue 20): a path through something
// another user could have planted is refused at open(), and nothing it points to is touched.
// "Another user" is `nobody` (uid 65534): the tests chown to it, so they need root.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "support.hpp"

namespace graph_runner::plugins {
PluginDescriptor describe_csv();
}  // namespace graph_runner::plugins

namespace fs = std::filesystem;
namespace gt = graph_runner::testing;
using namespace graph_runner;
using plugin_tests::read_file;
using plugin_tests::TempDir;
using plugin_tests::write_file;

namespace {

constexpr uid_t kNobody = 65534;

// Opens a jsonl or csv sink on `path` and writes one record: "" when that worked, else the error.
std::string open_error(const std::string& plugin, const fs::path& path, bool append) {
  const PluginDescriptor d = plugin == "csv" ? plugins::describe_csv() : plugins::describe_jsonl();
  gt::SinkHarness sink(d, {{"path", path.string()}, {"append", append}});
  try {
    sink.open();
  } catch (const std::exception& e) {
    return e.what();
  }
  sink.write(gt::make_batch({{{"n", 1}}}));
  sink.close();
  return "";
}

fs::path folder(const fs::path& p, mode_t mode) {
  fs::create_directory(p);
  REQUIRE(::chmod(p.c_str(), mode) == 0);  // exact bits: create_directory applies the umask
  return p;
}

void give_to_nobody(const fs::path& p) { REQUIRE(::lchown(p.c_str(), kNobody, kNobody) == 0); }

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

bool running_as_root() {
  if (::geteuid() == 0) return true;
  WARN("skipped: chown to another user needs root");
  return false;
}

}  // namespace

TEST_CASE("file sinks refuse a link another user planted in a sticky folder; its target is unchanged",
          "[plugins][output_file]") {
  if (!running_as_root()) return;
  const std::string plugin = GENERATE("jsonl", "csv");
  const bool append = GENERATE(false, true);
  CAPTURE(plugin, append);
  TempDir dir;
  const fs::path victim = write_file(dir.path() / "victim", "secret\n");
  REQUIRE(::chmod(victim.c_str(), 0600) == 0);
  const fs::path shared = folder(dir.path() / "shared", 01777), link = shared / "out.txt";
  fs::create_symlink(victim, link);
  give_to_nobody(link);
  CHECK(open_error(plugin, link, append) ==
        plugin + ": refusing to write '" + link.string() +
            "': it is a symbolic link (a planted link could point anywhere), owned by uid 65534 (nobody) in '" +
            shared.string() + "', a sticky folder writable by others (mode 1777)");
  CHECK(read_file(victim) == "secret\n");
  CHECK(mode_of(victim) == 0600);
}

TEST_CASE("file sinks refuse a folder link in a folder others can write", "[plugins][output_file]") {
  if (!running_as_root()) return;
  const std::string plugin = GENERATE("jsonl", "csv");
  const bool append = GENERATE(false, true);
  CAPTURE(plugin, append);
  TempDir dir;
  const fs::path target = folder(dir.path() / "etc", 0755);
  SECTION("in a 0777 folder, whoever owns the link") {
    const fs::path open = folder(dir.path() / "open", 0777);
    fs::create_directory_symlink(target, open / "outdir");
    CHECK(open_error(plugin, open / "outdir" / "grtest.txt", append) ==
          plugin + ": refusing to write '" + (open / "outdir" / "grtest.txt").string() + "': folder '" +
              open.string() + "' is writable by others (mode 0777), who could plant a link in it; " +
              "make it writable by its owner only: chmod go-w '" + open.string() + "'");
  }
  SECTION("in a 1777 folder, owned by another user") {
    const fs::path shared = folder(dir.path() / "shared", 01777);
    fs::create_directory_symlink(target, shared / "outdir");
    give_to_nobody(shared / "outdir");
    CHECK_THAT(open_error(plugin, shared / "outdir" / "grtest.txt", append),
               Catch::StartsWith(plugin + ": refusing to write '" + (shared / "outdir" / "grtest.txt").string() +
                                 "': '" + (shared / "outdir").string() + "' is a symbolic link"));
  }
  CHECK(fs::is_empty(target));
}

TEST_CASE("file sinks refuse a file or folder of another user in a sticky folder", "[plugins][output_file]") {
  if (!running_as_root()) return;
  const std::string plugin = GENERATE("jsonl", "csv");
  const bool append = GENERATE(false, true);
  CAPTURE(plugin, append);
  TempDir dir;
  const fs::path shared = folder(dir.path() / "shared", 01777);
  const fs::path theirs = write_file(shared / "out.txt", "theirs\n");
  give_to_nobody(theirs);
  CHECK(open_error(plugin, theirs, append) ==
        plugin + ": refusing to write '" + theirs.string() + "': it belongs to uid 65534 (nobody) in '" +
            shared.string() + "', a sticky folder writable by others (mode 1777); remove it or write elsewhere");
  CHECK(read_file(theirs) == "theirs\n");

  const fs::path their_folder = folder(shared / "sub", 0755);
  give_to_nobody(their_folder);
  CHECK_THAT(open_error(plugin, their_folder / "out.txt", append),
             Catch::Contains("'" + their_folder.string() + "' belongs to uid 65534 (nobody) in '" + shared.string()));
  CHECK_FALSE(fs::exists(their_folder / "out.txt"));
}

TEST_CASE("file sinks refuse a hard link in a sticky folder: it could name any file", "[plugins][output_file]") {
  const bool append = GENERATE(false, true);
  TempDir dir;
  const fs::path victim = write_file(dir.path() / "victim", "secret\n");
  const fs::path shared = folder(dir.path() / "shared", 01777);
  fs::create_hard_link(victim, shared / "out.jsonl");
  CHECK_THAT(open_error("jsonl", shared / "out.jsonl", append), Catch::Contains("it has 2 hard links in '"));
  CHECK(read_file(victim) == "secret\n");
}

TEST_CASE("file sinks refuse a folder on the way that another user owns or another group can write",
          "[plugins][output_file]") {
  if (!running_as_root()) return;
  TempDir dir;
  const fs::path theirs = folder(dir.path() / "theirs", 0755);
  give_to_nobody(theirs);
  CHECK(open_error("jsonl", theirs / "a" / "out.jsonl", false) ==
        "jsonl: refusing to write '" + (theirs / "a" / "out.jsonl").string() + "': folder '" + theirs.string() +
            "' belongs to uid 65534 (nobody), who could plant a link in it; write into a folder owned by you or root");
  CHECK_FALSE(fs::exists(theirs / "a"));

  const fs::path team = folder(dir.path() / "team", 0775);
  REQUIRE(::chown(team.c_str(), 0, kNobody) == 0);  // group nogroup: not root's private group
  CHECK_THAT(open_error("jsonl", team / "out.jsonl", false),
             Catch::Contains("folder '" + team.string() + "' is writable by its group (mode 0775)"));
}

TEST_CASE("file sinks follow our own links in folders only we can write, file and folder links alike",
          "[plugins][output_file]") {
  const std::string plugin = GENERATE("jsonl", "csv");
  CAPTURE(plugin);
  TempDir dir;
  const fs::path data = folder(dir.path() / "data", 0755), mine = folder(dir.path() / "mine", 0755);
  fs::create_symlink(data / "real.txt", mine / "out.txt");
  fs::create_directory_symlink("../data", mine / "out");  // relative: from the link's folder
  CHECK(open_error(plugin, mine / "out.txt", false) == "");
  CHECK(open_error(plugin, mine / "out.txt", true) == "");
  CHECK(fs::is_symlink(mine / "out.txt"));
  const std::string one_record = plugin == "csv" ? "n\n1\n" : "{\"n\":1}\n";
  CHECK(read_file(data / "real.txt") == one_record + (plugin == "csv" ? "1\n" : one_record));
  CHECK(open_error(plugin, mine / "out" / "sub" / "x.txt", false) == "");  // creates data/sub
  CHECK(read_file(data / "sub" / "x.txt") == one_record);
  // Ours in a sticky folder cannot be replaced by anyone else either.
  const fs::path shared = folder(dir.path() / "shared", 01777);
  fs::create_symlink(data / "from-shared.txt", shared / "link.txt");
  CHECK(open_error(plugin, shared / "link.txt", false) == "");
  CHECK(read_file(data / "from-shared.txt") == one_record);
}

TEST_CASE("file sinks create files with mode 0666 minus the umask, and folders with 0777 minus it",
          "[plugins][output_file]") {
  TempDir dir;
  const mode_t saved = ::umask(027);
  const std::string error = open_error("jsonl", dir.path() / "new" / "out.jsonl", false);
  ::umask(saved);
  CHECK(error == "");
  CHECK(mode_of(dir.path() / "new") == 0750);
  CHECK(mode_of(dir.path() / "new" / "out.jsonl") == 0640);
}

TEST_CASE("file sinks write to /dev/stdout, a link the kernel resolves to our own stdout", "[plugins][output_file]") {
  plugin_tests::CaptureStdout capture;
  const std::string error = open_error("jsonl", "/dev/stdout", true);
  CHECK(capture.text() == "{\"n\":1}\n");
  CHECK(error == "");
}
