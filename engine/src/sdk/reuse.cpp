// The pools of small columns and batches (reuse.hpp).
#include "reuse.hpp"

#include <algorithm>
#include <new>

#include "recycled.hpp"

namespace graph_runner::detail {

// Column's private state, for the pool alone (a friend of Column).
struct ColumnReuse {
  // At most this many data bytes: a batch of up to 32 numbers or 16 strings.
  static constexpr std::size_t kSmallBytes = 256;

  static bool small(const Column& c) noexcept {
    return c.data_.capacity() <= kSmallBytes && c.valid_.capacity() <= 16 && c.null_.capacity() <= 4 &&
           c.types_.capacity() <= kSmallBytes;
  }
  // As Column(f, t, rows), keeping the memory: rows past the old ones are cleared by resize.
  static void reset(Column& c, Field f, ColumnType t, std::size_t rows) {
    c.field_ = f;
    c.type_ = t;
    c.rows_ = c.valid_rows_ = 0;
    c.null_.clear();
    c.types_.clear();
    c.first_value_types_ = true;
    c.capacity_rows_ = std::min(c.data_.capacity() / column_width(t), c.valid_.capacity() * 8);
    if (rows > 0) c.resize(rows);
  }
};

// Batch's private state, for the pool alone (a friend of Batch).
struct BatchReuse {
  static bool small(const Batch& b) noexcept {
    return b.columns_.capacity() <= 32 && b.by_field_.capacity() <= 32 && b.keep_.capacity() <= 8 &&
           b.selection_.capacity() <= 256;
  }
  // As Batch(), keeping the vectors' memory. The keepalives (a source batch's ticket: its
  // acknowledgement) and columns are released now, as the batch's destruction would.
  static void reset(Batch& b) noexcept {
    b.keep_.clear();
    b.arena_.reset();
    b.columns_.clear();
    b.by_field_.clear();
    b.selection_.clear();
    b.selected_ = false;
    b.rows_ = 0;
    b.origin_ = {};
  }
};

#if GRAPH_RUNNER_RECYCLE
namespace {
using Columns = LivePool<Column, ColumnReuse>;
using Batches = LivePool<Batch, BatchReuse>;
}  // namespace

Column* take_column(Field f, ColumnType t, std::size_t rows) {
  if (Column* c = Columns::pop()) {
    try {
      ColumnReuse::reset(*c, f, t, rows);
    } catch (...) {  // no memory for `rows`: the column goes, as a failed constructor's would
      Columns::destroy(c);
      throw;
    }
    return c;
  }
  void* block = Columns::allocate();
  try {
    return new (block) Column(f, t, rows);
  } catch (...) {
    ::operator delete(block);
    throw;
  }
}

void give_column(Column* c) noexcept {
  if (ColumnReuse::small(*c)) Columns::push(c);
  else Columns::destroy(c);
}

std::shared_ptr<Batch> make_batch() {
  struct Give {
    void operator()(Batch* b) const noexcept {
      if (!BatchReuse::small(*b)) return Batches::destroy(b);
      BatchReuse::reset(*b);
      Batches::push(b);
    }
  };
  Batch* b = Batches::pop();
  if (!b) b = new (Batches::allocate()) Batch();  // Batch() does not throw
  return std::shared_ptr<Batch>(b, Give{}, RecyclingAllocator<Batch>{});  // gives `b` back if this throws
}
#else
Column* take_column(Field f, ColumnType t, std::size_t rows) { return new Column(f, t, rows); }
void give_column(Column* c) noexcept { delete c; }
std::shared_ptr<Batch> make_batch() { return std::make_shared<Batch>(); }
#endif

std::shared_ptr<Column> share_column(Column* c) {
  return std::shared_ptr<Column>(c, GiveColumn{}, RecyclingAllocator<Column>{});  // gives `c` back if this throws
}

}  // namespace graph_runner::detail
