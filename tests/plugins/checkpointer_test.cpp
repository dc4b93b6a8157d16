// Checkpoints of the file sources (plugins/common/checkpointer.*, state_file.*,
// file_fingerprint.*): only the contiguous acknowledged prefix is committed, the state file
// round-trips, and a file is known by its identity, not its name.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "checkpointer.hpp"
#include "graph_runner/testing.hpp"
#include "support.hpp"

namespace gp = graph_runner::plugins;
namespace gt = graph_runner::testing;
using plugin_tests::TempDir;

namespace graph_runner::plugins {
PluginDescriptor describe_lines();
}

namespace {

struct Fixture {
  TempDir dir;
  graph_runner::PluginDescriptor d = graph_runner::plugins::describe_lines();
  gt::Options options() const {
    gt::Options o;
    o.checkpoint.file = (dir.path() / "state" / "g.src.state").string();
    o.checkpoint.key = "g/src";
    o.checkpoint.interval = std::chrono::milliseconds(60'000);  // only close() writes
    return o;
  }
  gt::TestContext context(gt::Options o) { return gt::TestContext(d, gt::resolve_params(d, {{"path", "in.txt"}}), o); }
};

gp::FilePosition at(std::uint64_t offset) {
  gp::FilePosition p;
  p.path = "in.txt";
  p.id.dev = 1;
  p.id.ino = 42;
  p.offset = offset;
  p.line = offset / 10 + 1;
  return p;
}

// The committed offset of the one file, or -1 when none is committed.
std::int64_t committed_offset(const gp::Checkpointer& c) {
  const auto s = c.committed();
  return s.files.empty() ? -1 : static_cast<std::int64_t>(s.files.front().offset);
}

}  // namespace

TEST_CASE("Out-of-order acknowledgements commit only the contiguous prefix", "[checkpoint]") {
  Fixture f;
  auto ctx = f.context(f.options());
  gp::Checkpointer c(ctx, "path");
  for (std::uint64_t b = 0; b < 5; ++b) c.record(b, at(100 * (b + 1)));
  c.acknowledge(2);
  c.acknowledge(1);
  c.acknowledge(4);
  CHECK(committed_offset(c) == -1);  // batch 0 is still out: nothing after it counts
  c.acknowledge(0);
  CHECK(committed_offset(c) == 300);  // 0, 1, 2 done; 3 still out
  c.acknowledge(3);
  CHECK(committed_offset(c) == 500);
  c.close();
  const auto saved = gp::read_state_file(f.options().checkpoint.file, "g/src");
  REQUIRE(saved);
  REQUIRE(saved->files.size() == 1);
  CHECK(saved->files[0].offset == 500);
  CHECK(saved->files[0].line == 51);
  CHECK(saved->files[0].id.ino == 42);
}

TEST_CASE("Reads that yield no batch leave their position to the next batch", "[checkpoint]") {
  Fixture f;
  auto ctx = f.context(f.options());
  gp::Checkpointer c(ctx, "path");
  c.record(0, at(100));
  c.record(0, at(150));  // a second read under the same number: the first yielded nothing
  c.acknowledge(0);
  CHECK(committed_offset(c) == 150);
}

TEST_CASE("A deleted file leaves the state once what was read before it is committed", "[checkpoint]") {
  Fixture f;
  auto ctx = f.context(f.options());
  gp::Checkpointer c(ctx, "path");
  c.record(0, at(100));
  c.record_gone(1, at(0).id);
  c.acknowledge(0);
  CHECK(committed_offset(c) == 100);
  c.acknowledge(1);
  CHECK(committed_offset(c) == -1);
}

TEST_CASE("A restart resumes from the saved state; --from-start ignores it", "[checkpoint]") {
  Fixture f;
  const std::string in = plugin_tests::write_file(f.dir.path() / "in.txt", "one\ntwo\nthree\n");
  const int fd = ::open(in.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  const gp::FileId id = gp::fingerprint(fd, in);
  {
    auto ctx = f.context(f.options());
    gp::Checkpointer c(ctx, "path");
    c.record(0, gp::FilePosition{in, id, 8, 3});
    c.acknowledge(0);
    c.close();
  }
  {
    auto ctx = f.context(f.options());
    gp::Checkpointer c(ctx, "path");
    const auto p = c.saved_position(fd, id);
    REQUIRE(p);
    CHECK(p->offset == 8);
    CHECK(p->line == 3);
  }
  {
    auto o = f.options();
    o.checkpoint.from_start = true;
    auto ctx = f.context(o);
    gp::Checkpointer c(ctx, "path");
    CHECK_FALSE(c.saved_position(fd, id));
  }
  // The same inode with other first bytes is another file (an inode reused after a deletion).
  gp::FileId other = id;
  other.head_sum ^= 1;
  CHECK_FALSE(gp::is_same_file(fd, id, other));
  CHECK(gp::is_same_file(fd, id, id));
  ::close(fd);
}

TEST_CASE("A corrupt or foreign state file is a parameter error naming the file", "[checkpoint]") {
  Fixture f;
  const auto o = f.options();
  std::filesystem::create_directories(f.dir.path() / "state");
  const std::pair<std::string, std::string> cases[] = {
      {"{\"format\": \"graph-runner/source-checkpoint\", \"ver", "is corrupt"},
      {"[1, 2]", "is not a graph-runner source checkpoint"},
      {R"({"format": "graph-runner/source-checkpoint", "version": 1, "key": "g/other", "files": []})", "belongs to"},
      {R"({"format": "graph-runner/source-checkpoint", "version": 1, "key": "g/src", "files": [{"path": "x"}]})",
       "is corrupt"},
  };
  for (const auto& [text, message] : cases) {
    plugin_tests::write_file(o.checkpoint.file, text);
    auto ctx = f.context(o);
    try {
      gp::Checkpointer c(ctx, "path");
      FAIL("no error for a state file holding " << text);
    } catch (const graph_runner::ParamError& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(message) != std::string::npos);
      CHECK(std::string(e.what()).find("g.src.state") != std::string::npos);
    }
  }
}
