// Process-wide field interning: field() and field_name().
//
// Compact, because a run may see many names (JSON lines with keys drawn from 100,000 names):
// each name's text lives in a shared chunk, its entry (text, id, a one-pointer hook of an
// intrusive hash set) in segments that never move, so a name costs about 40 bytes plus its
// text; a std::string in a deque plus an unordered_map node over it took about 100.
// field_name() takes no lock: writers write a JSON key per value and column, and with many
// names (a sparse-keys run) a shared lock per call was 6 % of the run.
#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/intrusive/unordered_set.hpp>

#include "graph_runner/value.hpp"

namespace graph_runner {
namespace {

namespace bi = boost::intrusive;

struct Name : bi::unordered_set_base_hook<bi::link_mode<bi::normal_link>> {
  std::string_view text;
  std::uint32_t id = 0;
};

struct NameHash {
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  std::size_t operator()(const Name& n) const noexcept { return (*this)(n.text); }
};

struct NameEqual {
  bool operator()(const Name& a, const Name& b) const noexcept { return a.text == b.text; }
  bool operator()(std::string_view a, const Name& b) const noexcept { return a == b.text; }
  bool operator()(const Name& a, std::string_view b) const noexcept { return a.text == b; }
};

using NameSet = bi::unordered_set<Name, bi::hash<NameHash>, bi::equal<NameEqual>, bi::power_2_buckets<true>,
                                  bi::constant_time_size<true>>;

// Names' text, appended to chunks that are never moved or freed before the process ends.
class TextChunks {
 public:
  std::string_view copy(std::string_view s) {
    if (s.size() > left_) {
      const std::size_t size = std::max(s.size(), chunk_size);
      chunks_.push_back(std::make_unique<char[]>(size));
      next_ = chunks_.back().get();
      left_ = size;
    }
    if (!s.empty()) std::memcpy(next_, s.data(), s.size());
    std::string_view kept(next_, s.size());
    next_ += s.size();
    left_ -= s.size();
    return kept;
  }

 private:
  static constexpr std::size_t chunk_size = 64 * 1024;
  std::vector<std::unique_ptr<char[]>> chunks_;
  char* next_ = nullptr;
  std::size_t left_ = 0;
};

// Names by id, in segments that never move: segment s holds ids [kFirst (2^s - 1),
// kFirst (2^(s+1) - 1)). Readers take no lock: an id reaches a reader after intern() wrote its
// entry and published the segment.
class NameSegments {
 public:
  NameSegments() = default;
  NameSegments(const NameSegments&) = delete;
  NameSegments& operator=(const NameSegments&) = delete;
  ~NameSegments() {
    for (std::uint32_t id = 0; id < size(); ++id) (*this)[id].~Name();
    for (std::size_t s = 0; s < segments_.size(); ++s)
      if (Name* names = segments_[s].load(std::memory_order_relaxed))
        std::allocator<Name>{}.deallocate(names, kFirst << s);
  }
  // Names published: ids below it are readable.
  std::uint32_t size() const noexcept { return size_.load(std::memory_order_acquire); }
  // Under the writer's lock: the entry of the next id (size()), filled by the caller, then
  // publish()ed. Entries are made one by one: a segment's unused part is never touched (its
  // pages stay unmapped).
  Name& next() {
    const auto [segment, offset] = locate(size_.load(std::memory_order_relaxed));
    Name* names = segments_[segment].load(std::memory_order_relaxed);
    if (!names) {
      names = std::allocator<Name>{}.allocate(kFirst << segment);
      segments_[segment].store(names, std::memory_order_release);
    }
    return *new (names + offset) Name;
  }
  void publish() noexcept { size_.fetch_add(1, std::memory_order_release); }
  const Name& operator[](std::uint32_t id) const noexcept {
    const auto [segment, offset] = locate(id);
    return segments_[segment].load(std::memory_order_acquire)[offset];
  }

 private:
  static constexpr std::size_t kFirst = 256;
  static std::pair<std::size_t, std::size_t> locate(std::uint32_t id) noexcept {
    const std::size_t segment = std::bit_width(id / kFirst + 1) - 1;
    return {segment, id - kFirst * ((std::size_t{1} << segment) - 1)};
  }
  std::array<std::atomic<Name*>, 32> segments_{};  // kFirst (2^32 - 1) names: past any 32-bit id
  std::atomic<std::uint32_t> size_{0};
};

class FieldTable {
 public:
  FieldTable() : buckets_(std::make_unique<NameSet::bucket_type[]>(min_buckets)),
                 set_(NameSet::bucket_traits(buckets_.get(), min_buckets)) {}

  Field intern(std::string_view name) {
    {
      std::shared_lock lock(mutex_);
      if (auto it = set_.find(name, NameHash{}, NameEqual{}); it != set_.end()) return Field{it->id};
    }
    std::unique_lock lock(mutex_);
    if (auto it = set_.find(name, NameHash{}, NameEqual{}); it != set_.end()) return Field{it->id};
    Name& n = names_.next();
    n.text = text_.copy(name);
    n.id = names_.size();
    if (set_.size() + 1 > set_.bucket_count()) grow();
    set_.insert(n);
    names_.publish();
    return Field{n.id};
  }

  std::string_view name(Field f) const noexcept {
    return f.id < names_.size() ? names_[f.id].text : std::string_view("?");
  }

 private:
  static constexpr std::size_t min_buckets = 64;

  void grow() {  // a load factor of at most 1
    const std::size_t count = set_.bucket_count() * 2;
    auto buckets = std::make_unique<NameSet::bucket_type[]>(count);
    set_.rehash(NameSet::bucket_traits(buckets.get(), count));
    buckets_ = std::move(buckets);
  }

  std::shared_mutex mutex_;  // set_ and text_; names_ is read without it
  NameSegments names_;
  TextChunks text_;
  std::unique_ptr<NameSet::bucket_type[]> buckets_;
  NameSet set_;
};

FieldTable& table() {
  static FieldTable t;
  return t;
}

}  // namespace

Field field(std::string_view name) { return table().intern(name); }
std::string_view field_name(Field f) { return table().name(f); }

}  // namespace graph_runner
