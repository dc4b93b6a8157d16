#pragma once
// What the file sources (lines, jsonl, csv) share about where they are: their
// `follow` and `poll_ms` parameters, the FileSet they read, and committing positions.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "block_reader.hpp"
#include "checkpointer.hpp"
#include "file_set.hpp"
#include "graph_runner/sdk.hpp"

namespace graph_runner::plugins {

/// `follow` and `poll_ms`, the same for every file source.
inline std::vector<ParamSpec> follow_params() {
  return {
      ParamSpec::boolean("follow", "keep reading as the files grow, rescan the pattern for new files, follow rotation "
                                   "(rename + new file), copytruncate and deletion; ends only on a stop signal")
          .with_default(false),
      ParamSpec::integer("poll_ms", "with follow: how often files are checked for growth and the pattern rescanned")
          .with_default(std::int64_t{250})
          .at_least(10)
          .at_most(60'000),
  };
}

/// `params` with follow_params() added.
inline std::vector<ParamSpec> with_follow_params(std::vector<ParamSpec> params) {
  for (auto& p : follow_params()) params.push_back(std::move(p));
  return params;
}

/// The files a source's `path` names, positioned at their checkpoints.
inline std::unique_ptr<FileSet> open_file_set(const Context& c, const std::string& path, Checkpointer& checkpoints) {
  FileSetOptions o;
  o.follow = c.params().get_bool("follow");
  o.poll = std::chrono::milliseconds(c.params().get_int("poll_ms"));
  o.checkpoints = checkpoints.enabled() ? &checkpoints : nullptr;
  o.log = [&c](LogLevel level, const std::string& message) { c.log(level, message); };
  return std::make_unique<FileSet>(path, std::move(o));
}

/// Files what read() reached under the batch it fills, and the files deleted meanwhile.
inline void record_positions(const Context& c, Checkpointer& checkpoints, std::vector<FilePosition>& positions,
                             BlockReader& blocks) {
  if (!checkpoints.enabled()) return positions.clear();
  const std::uint64_t batch = c.batch_being_read();
  for (const auto& p : positions) checkpoints.record(batch, p);
  positions.clear();
  for (const auto& id : blocks.take_deleted()) checkpoints.record_gone(batch, id);
}

}  // namespace graph_runner::plugins
