#include "checkpointer.hpp"

namespace graph_runner::plugins {

Checkpointer::Checkpointer(Context& ctx, const std::string& param) : ctx_(ctx), settings_(ctx.checkpoint()) {
  if (!enabled() || settings_.from_start) return;
  try {
    if (auto state = read_state_file(settings_.file, settings_.key))
      for (auto& f : state->files) saved_[{f.id.dev, f.id.ino}] = std::move(f);
  } catch (const StateFileError& e) {
    ctx.param_error(param, e.what());
  }
  committed_ = saved_;
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
}

std::optional<FilePosition> Checkpointer::saved_position(int fd, const FileId& id) const {
  std::lock_guard lock(mutex_);
  auto it = saved_.find({id.dev, id.ino});
  if (it == saved_.end() || !is_same_file(fd, id, it->second.id)) return std::nullopt;
  return it->second;
}

void Checkpointer::record(std::uint64_t batch, const FilePosition& after) {
  if (!enabled()) return;
  std::lock_guard lock(mutex_);
  if (!writer_.joinable()) start_writer();
  auto& marks = marks_[batch];
  // Several reads under one number (reads that yielded nothing): the last position wins.
  for (auto& m : marks)
    if (!m.gone && m.position.id.same_inode(after.id)) {
      m.position = after;
      return;
    }
  marks.push_back({after, false});
}

void Checkpointer::record_gone(std::uint64_t batch, const FileId& id) {
  if (!enabled()) return;
  std::lock_guard lock(mutex_);
  Mark m;
  m.position.id = id;
  m.gone = true;
  marks_[batch].push_back(std::move(m));
}

void Checkpointer::acknowledge(std::uint64_t batch) {
  if (!enabled()) return;
  std::lock_guard lock(mutex_);
  if (batch < next_) return;
  acked_.insert(batch);
  while (!acked_.empty() && *acked_.begin() == next_) {
    acked_.erase(acked_.begin());
    if (auto it = marks_.find(next_); it != marks_.end()) {
      for (auto& m : it->second) {
        const Key key{m.position.id.dev, m.position.id.ino};
        if (m.gone) committed_.erase(key);
        else committed_[key] = std::move(m.position);
      }
      marks_.erase(it);
      dirty_ = true;
    }
    ++next_;
  }
}

SourceState Checkpointer::committed() const {
  std::lock_guard lock(mutex_);
  SourceState s;
  for (const auto& [key, f] : committed_) s.files.push_back(f);
  return s;
}

void Checkpointer::start_writer() {
  writer_ = std::thread([this] { writer_loop(); });
}

void Checkpointer::writer_loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, settings_.interval, [this] { return stopping_; });
    if (stopping_ || !dirty_) continue;
    lock.unlock();
    write_now();
    lock.lock();
  }
}

// A failed write is logged (once until one succeeds again) and retried at the next
// interval: the run goes on, and only the duplicates after a crash grow meanwhile.
void Checkpointer::write_now() {
  std::lock_guard serial(write_mutex_);
  SourceState state;
  {
    std::lock_guard lock(mutex_);
    if (!dirty_) return;
    dirty_ = false;
    for (const auto& [key, f] : committed_) state.files.push_back(f);
  }
  try {
    write_state_file(settings_.file, settings_.key, state);
    if (write_failed_) ctx_.log(LogLevel::info, "checkpoint written again to '" + settings_.file + "'");
    write_failed_ = false;
  } catch (const std::exception& e) {
    {
      std::lock_guard lock(mutex_);
      dirty_ = true;
    }
    if (!write_failed_) ctx_.log(LogLevel::error, std::string("checkpoint not saved: ") + e.what());
    write_failed_ = true;
  }
}

void Checkpointer::close() {
  if (!enabled()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
  write_now();
}

}  // namespace graph_runner::plugins
