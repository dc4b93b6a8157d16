// jsonl (formerly read_jsonl): a source of JSON lines (one object per line) from files, a glob or stdin,
// parsed with simdjson's On-Demand API (json_fields.hpp). Each key becomes a field:
//   numbers  -> int when the number is an integer that fits int64, else double; beyond
//               both (big integers) a json value keeping the digits;
//   strings, true/false, null -> string, bool, explicit null; a key a line lacks is absent;
//   non-empty objects -> their keys, as fields with dotted paths (`user.country`);
//   arrays and empty objects -> json values holding their JSON text, as written.
// The jsonl sink writes each line back as it came (same keys, order and nesting): a batch
// ends before a line whose keys come in another order. Batches are filled across blocks
// and files.
// Blank lines are skipped. A line that is not one JSON object, or is longer than
// max_record_bytes, goes to the node's on_error policy (Context::reject_input) as
// "FILE:LINE[:COL]: message", in file order: `fail` stops the run once the records before it
// are out, `drop` and `route` go on reading.
//
// Files are read in blocks of 1 MiB of whole lines. With threads > 1, blocks (of 256 KiB) are
// parsed ahead as tasks on the run's threads while read() hands out the records of earlier
// ones, in file order: one big file keeps every core busy. Standard input, and inputs of a
// few blocks, are parsed in read() itself.
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

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
// Blocks parsed ahead are smaller: the few in flight, and their columns, stay in the cores'
// caches (nested JSONL on 2 cores: 5 % faster than blocks of 1 MiB; 128 KiB gained less).
constexpr std::size_t ahead_block_bytes = std::size_t{256} << 10;

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
    const std::size_t threads = threads_ > 0 ? static_cast<std::size_t>(threads_)
                                             : static_cast<std::size_t>(tbb::this_task_arena::max_concurrency());
    // Parsing ahead pays off from a few blocks on; standard input is parsed as it arrives.
    const bool ahead = threads > 1 && !stdin_used && bytes > 4 * block_bytes;
    reader_.emplace(open_file_set(ctx_, path_, checkpoints_), ahead ? ahead_block_bytes : block_bytes,
                    max_record_bytes_);
    // Two blocks per thread in the window: one being parsed, one ready.
    if (ahead) pool_ = std::make_unique<ParsePool>(*reader_, 2 * threads, ctx_.batch_size());
  }

  bool read(BatchBuilder& out) override {
    if (!reader_) open();
    bad_.rethrow();  // a bad line under on_error = "fail", after the records before it
    // One batch is filled from as many blocks (and files) as it takes: 40,000 one-line files
    // make 157 batches of 256 records, not 40,000 of one. A block's records join the batch
    // when they fit, and when their columns come in an order the batch's columns agree with
    // (the writers write a batch's columns in order: each record keeps its key order).
    merged_.clear();
    merged_index_.clear();
    merged_cells_ = 0;
    const bool may_merge = out.size() == 0;
    const ReadDeadline deadline(ctx_.linger_ms());
    for (;;) {
      while (!ready_.empty()) {
        ParsedBatch& front = ready_.front().batch;
        if (out.size() > 0 && (front.rows > 0 || !front.bad_lines.empty()) && !(may_merge && fits(front, out)))
          return true;  // the next batch starts with these records
        // The bad lines among this batch's records. Under `fail` the first one throws: the
        // records before it go out first, and the failure with the next call.
        for (const auto& bad : std::exchange(front.bad_lines, {})) {
          if (bad_.reject(ctx_, bad.input, bad.error, out.size() + bad.row > 0)) continue;
          front.truncate(bad.row);
          append(front, out);
          ready_.clear();  // the failure follows: nothing after this is committed
          return true;
        }
        // A block's position is committed with the batch of its last records.
        if (ready_.front().after) record(*ready_.front().after);
        if (front.rows > 0) append(front, out);
        ready_.pop_front();
        if (out.size() >= out.capacity()) return true;
      }
      if (error_) {  // a read error, after the records before it
        if (out.size() > 0) return true;
        std::rethrow_exception(std::exchange(error_, nullptr));
      }
      if (stopped_.load(std::memory_order_relaxed)) return false;
      std::vector<ParsedBatch> batches;
      std::optional<FilePosition> after;
      if (pool_) {
        if (!pool_->next(batches, error_, after)) return false;
      } else {
        TextBlock block;
        // Standard input: wait at most 100 ms (or what is left of linger_ms once the batch
        // has records), then let the engine call again (and see a stop request). Regular
        // files never wait.
        const auto status = reader_->next(block, deadline.wait_ms(out.size() > 0));
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

  // Whether the records of `b` may join the batch `out` holds: room, not too sparse (the
  // rule of BatchBuilder::full()), and every column of `b` either after the batch's columns
  // `b` also has, in the batch's order, or new, after all of those.
  bool fits(const ParsedBatch& b, const BatchBuilder& out) const {
    const std::size_t rows = out.size() + b.rows;
    if (rows > out.capacity()) return false;
    std::size_t columns = merged_.size();
    std::int64_t previous = -1;
    bool added = false;
    for (const Column& c : b.columns) {
      auto it = merged_index_.find(c.field().id);
      if (it == merged_index_.end()) {
        added = true;
        ++columns;
        continue;
      }
      if (added || static_cast<std::int64_t>(it->second) <= previous) return false;
      previous = static_cast<std::int64_t>(it->second);
    }
    return !(columns > 32 && columns * rows > 8 * (merged_cells_ + b.cells) + 256);
  }
  void append(ParsedBatch& b, BatchBuilder& out) {
    for (const Column& c : b.columns)
      if (merged_index_.emplace(c.field().id, static_cast<std::uint32_t>(merged_.size())).second)
        merged_.push_back(c.field());
    merged_cells_ += b.cells;
    b.move_into(out);
  }

  std::deque<Ready> ready_;
  std::vector<Field> merged_;  // the columns of the batch being filled, in order
  std::unordered_map<std::uint32_t, std::uint32_t> merged_index_;  // field id -> index in merged_
  std::size_t merged_cells_ = 0;
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
