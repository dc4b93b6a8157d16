// jsonl (formerly read_jsonl): a source of JSON lines (one object per line) from files, a glob or stdin,
// parsed with simdjson's On-Demand API. Each top-level key becomes a field:
//   numbers  -> int when the number is an integer that fits int64, else double;
//   strings, true/false, null -> string, bool, null;
//   nested objects and arrays -> a string holding their JSON text, as written.
// Blank lines are skipped. A line that is not one JSON object, or is longer than
// max_record_bytes, goes to the node's on_error policy (Context::reject_input) as
// "FILE:LINE[:COL]: message", in file order: `fail` stops the run once the records before it
// are out, `drop` and `route` go on reading.
//
// Files are read in blocks of 1 MiB of whole lines. With threads > 1, blocks are parsed ahead
// as tasks on the run's threads while read() hands out the records of earlier ones, in file
// order: one big file keeps every core busy. Standard input, and inputs of a few blocks, are
// parsed in read() itself.
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <oneapi/tbb/task_arena.h>

#include "block_reader.hpp"
#include "graph_runner/sdk.hpp"
#include "input_files.hpp"
#include "jsonl_parser.hpp"
#include "file_source.hpp"
#include "line_source.hpp"
#include "parse_pool.hpp"

namespace graph_runner::plugins {
namespace {

constexpr std::size_t block_bytes = std::size_t{1} << 20;

std::size_t total_bytes(const std::vector<std::string>& paths) {
  std::size_t total = 0;
  for (const auto& p : paths) {
    struct stat st;
    if (p != "-" && ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode)) total += static_cast<std::size_t>(st.st_size);
  }
  return total;
}

class ReadJsonl : public Source {
 public:
  explicit ReadJsonl(Context& c)
      : ctx_(c), path_(c.params().get_string("path")), threads_(c.params().get_int("threads")),
        max_record_bytes_(max_record_bytes_of(c)), parser_(c.batch_size()), checkpoints_(c, "path") {
    if (path_.empty()) c.param_error("path", "path is empty; use \"-\" for standard input");
  }

  void open() override {
    const bool follow = ctx_.params().get_bool("follow");
    std::vector<std::string> paths = follow ? std::vector<std::string>{} : expand_input_paths(path_);
    const bool stdin_used = std::find(paths.begin(), paths.end(), "-") != paths.end();
    const std::size_t bytes = total_bytes(paths);  // following: parsed as it comes, no pool
    reader_.emplace(open_file_set(ctx_, path_, checkpoints_), block_bytes, max_record_bytes_);
    const std::size_t threads = threads_ > 0 ? static_cast<std::size_t>(threads_)
                                             : static_cast<std::size_t>(tbb::this_task_arena::max_concurrency());
    // Parsing ahead pays off from a few blocks on; standard input is parsed as it arrives.
    // Two blocks per thread in the window: one being parsed, one ready.
    if (threads > 1 && !stdin_used && bytes > 4 * block_bytes)
      pool_ = std::make_unique<ParsePool>(*reader_, 2 * threads, ctx_.batch_size());
  }

  bool read(BatchBuilder& out) override {
    if (!reader_) open();
    bad_.rethrow();  // a bad line under on_error = "fail", after the records before it
    for (;;) {
      while (!ready_.empty()) {
        ParsedBatch& front = ready_.front().batch;
        // The bad lines among this batch's records. Under `fail` the first one throws: the
        // records before it go out first, and the failure with the next call.
        for (const auto& bad : std::exchange(front.bad_lines, {})) {
          if (bad_.reject(ctx_, bad.input, bad.error, bad.row > 0)) continue;
          front.rows = bad.row;
          front.truncate(bad.row);
          front.move_into(out);
          ready_.clear();  // the failure follows: nothing after this is committed
          return true;
        }
        // A block's position is committed with the batch of its last records.
        if (ready_.front().after) record(*ready_.front().after);
        if (front.rows > 0) {
          front.move_into(out);
          ready_.pop_front();
          return true;
        }
        ready_.pop_front();
      }
      if (error_) std::rethrow_exception(std::exchange(error_, nullptr));  // a read error
      if (stopped_.load(std::memory_order_relaxed)) return false;
      std::vector<ParsedBatch> batches;
      std::optional<FilePosition> after;
      if (pool_) {
        if (!pool_->next(batches, error_, after)) return false;
      } else {
        TextBlock block;
        // Standard input: wait at most 100 ms, then let the engine call again (and see a
        // stop request). Regular files never wait.
        const auto status = reader_->next(block, 100);
        if (status == BlockReader::Status::end) return false;
        if (status == BlockReader::Status::waiting) return true;
        if (status == BlockReader::Status::oversized) {
          batches.push_back(oversized_batch(reader_->oversized()));
        } else {
          parser_.parse(block, batches);
          if (block.id.ino != 0) after = block.end_position();
          reader_->recycle(std::move(block));
        }
      }
      for (auto& b : batches) ready_.push_back({std::move(b), std::nullopt});
      if (after) {
        if (ready_.empty()) ready_.emplace_back();  // a block of blank lines still moves the position
        ready_.back().after = std::move(after);
      }
    }
  }

  void stop() override { stopped_.store(true, std::memory_order_relaxed); }
  void acknowledge(std::uint64_t batch) override { checkpoints_.acknowledge(batch); }
  void close() override {
    pool_.reset();
    checkpoints_.close();
  }

 private:
  Context& ctx_;
  const std::string path_;
  const std::int64_t threads_;
  const std::size_t max_record_bytes_;
  std::optional<BlockReader> reader_;
  std::unique_ptr<ParsePool> pool_;  // declared after reader_: destroyed before it
  JsonlParser parser_;               // without a pool
  struct Ready {
    ParsedBatch batch;
    std::optional<FilePosition> after;  // the position after its block, when it is the block's last
  };
  // Files a position, and the files deleted meanwhile, under the batch being filled.
  void record(const FilePosition& p) {
    positions_.push_back(p);
    record_positions(ctx_, checkpoints_, positions_, *reader_);
  }

  std::deque<Ready> ready_;
  std::exception_ptr error_;  // a read error, after the records before it
  BadRecords bad_;
  std::atomic<bool> stopped_{false};
  Checkpointer checkpoints_;
  std::vector<FilePosition> positions_;
};

}  // namespace

PluginDescriptor describe_read_jsonl() {
  return PluginDescriptor::source<ReadJsonl>("jsonl", "JSON lines (one object per line) from files, a glob or stdin")
      .with_params(with_follow_params({
          ParamSpec::string("path", "file, glob pattern (\"data/*.jsonl\", sorted) or \"-\" for stdin").mandatory(),
          ParamSpec::integer("threads", "blocks of an input over 4 MiB parsed at once, on the run's threads; 0 = one per thread of the run, 1 = no parsing ahead")
              .with_default(std::int64_t{0}).at_least(0).at_most(16),
          max_record_bytes_param(),
      }));
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_SOURCE_PLUGIN(jsonl, graph_runner::plugins::describe_read_jsonl)
