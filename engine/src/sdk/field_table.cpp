// Process-wide field interning: field() and field_name().
//
// Compact, because a run may see many names (JSON lines with keys drawn from 100,000 names):
// each name's text lives in a shared chunk, its entry (text, id, a one-pointer hook of an
// intrusive hash set) in a deque, so a name costs about 40 bytes plus its text; a
// std::string in a deque plus an unordered_map node over it took about 100.
#include <algorithm>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string_view>
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
    Name& n = names_.emplace_back();  // deque: entries never move
    n.text = text_.copy(name);
    n.id = static_cast<std::uint32_t>(names_.size() - 1);
    if (set_.size() + 1 > set_.bucket_count()) grow();
    set_.insert(n);
    return Field{n.id};
  }

  std::string_view name(Field f) {
    std::shared_lock lock(mutex_);
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

  std::shared_mutex mutex_;
  std::deque<Name> names_;  // by id
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
