// The SDK 2.0 record format: typed columns, absent vs null, string views, selections, copy
// on write, the builder's key-order and sparsity signals, recycled buffers.
#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "graph_runner/batch.hpp"

using namespace graph_runner;

namespace {

const Field n_ = field("fmt_n"), s_ = field("fmt_s"), x_ = field("fmt_x");

BatchPtr numbers(std::int64_t count) {
  BatchBuilder b(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) b.set(b.add_record(), n_, Value::of(i));
  return b.finish();
}

}  // namespace

TEST_CASE("a column takes the type of its first value and keeps values typed") {
  BatchBuilder b;
  for (std::int64_t i = 0; i < 3; ++i) {
    const std::size_t r = b.add_record();
    b.set(r, n_, Value::of(i * 10));
    b.set(r, x_, Value::of(0.5 * static_cast<double>(i)));
  }
  BatchPtr batch = b.finish();
  const Column* n = batch->find(n_);
  REQUIRE(n);
  CHECK(n->type() == ColumnType::int64);
  CHECK(n->all_valid());
  CHECK(std::vector<std::int64_t>(n->ints().begin(), n->ints().end()) == std::vector<std::int64_t>{0, 10, 20});
  CHECK(batch->find(x_)->type() == ColumnType::float64);
  CHECK(batch->get(2, x_).as_double() == 1.0);
}

TEST_CASE("a value of another type turns a column mixed, and every value keeps its type") {
  BatchBuilder b;
  b.set(b.add_record(), n_, Value::of(std::int64_t{7}));
  b.set(b.add_record(), n_, b.string("seven, spelled out in full"));
  b.set(b.add_record(), n_, Value::of(true));
  b.set(b.add_record(), n_, b.string("short"));
  BatchPtr batch = b.finish();
  const Column* c = batch->find(n_);
  CHECK(c->type() == ColumnType::mixed);
  CHECK(batch->get(0, n_) == Value::of(std::int64_t{7}));
  CHECK(batch->get(1, n_).as_string() == "seven, spelled out in full");
  CHECK(batch->get(2, n_) == Value::of(true));
  CHECK(batch->get(3, n_).as_string() == "short");
}

TEST_CASE("absent and null are told apart") {
  BatchBuilder b;
  b.set(b.add_record(), n_, Value::of(std::int64_t{1}));
  b.add_record();                          // no n: absent
  b.set(b.add_record(), n_, Value{});      // an explicit null
  BatchPtr batch = b.finish();
  const Column* c = batch->find(n_);
  CHECK(c->type() == ColumnType::int64);
  CHECK(c->valid(0));
  CHECK_FALSE(c->present(1));
  CHECK(c->present(2));
  CHECK_FALSE(c->valid(2));
  CHECK(batch->get(1, n_).is_null());
  CHECK(batch->get(2, n_).is_null());
  CHECK(c->valid_rows() == 1);
}

TEST_CASE("string views keep short strings inline and compare without the arena when they can") {
  const std::string long_text = "a string longer than twelve bytes";
  StringView a{std::string_view("short")}, b{std::string_view("short")}, c{std::string_view(long_text)};
  CHECK(a.is_inline());
  CHECK(a == b);
  CHECK(a.view() == "short");
  CHECK_FALSE(c.is_inline());
  CHECK(c.view().data() == long_text.data());  // referenced, not copied
  CHECK(c == std::string_view(long_text));
  CHECK_FALSE(c == std::string_view("a string longer than twelve byteS"));
  CHECK_FALSE(StringView(std::string_view("abcdX")) == StringView(std::string_view("abcdY")));
  CHECK(sizeof(StringView) == 16);
}

TEST_CASE("select makes a selection over shared columns, and selections compose") {
  BatchPtr batch = numbers(10);
  const std::uint32_t evens[] = {0, 2, 4, 6, 8};
  BatchPtr even = batch->select(evens);
  CHECK(even->size() == 5);
  CHECK(even->columns()[0].get() == batch->columns()[0].get());  // no copy
  const std::uint32_t some[] = {1, 4};
  BatchPtr picked = even->select(some);  // records 1 and 4 of the evens: n = 2 and 8
  REQUIRE(picked->size() == 2);
  CHECK(picked->get(0, n_).as_int() == 2);
  CHECK(picked->get(1, n_).as_int() == 8);
  std::vector<std::size_t> rows;
  picked->for_each_row([&](std::size_t r) { rows.push_back(r); });
  CHECK(rows == std::vector<std::size_t>{2, 8});
  BatchPtr compact = picked->compacted();
  CHECK_FALSE(compact->has_selection());
  CHECK(compact->physical_size() == 2);
  CHECK(compact->get(1, n_).as_int() == 8);
}

TEST_CASE("a shared column is copied when written; one held only by the batch is changed in place") {
  BatchPtr original = numbers(4);
  auto copy = std::make_shared<Batch>(*original);  // shares the column
  Column& c = copy->column_for_write(n_);
  CHECK(&c != original->find(n_));  // copied first
  c.ints_for_write()[0] = 100;
  CHECK(original->get(0, n_).as_int() == 0);
  CHECK(copy->get(0, n_).as_int() == 100);
  const Column* before = copy->find(n_);
  Column& again = copy->column_for_write(n_);  // now held by `copy` alone
  CHECK(&again == before);
}

TEST_CASE("with_column writes through the selection and leaves the deselected rows absent") {
  BatchPtr batch = numbers(4);
  const std::uint32_t keep[] = {1, 3};
  BatchPtr some = batch->select(keep);
  const Value values[] = {Value::of(std::int64_t{10}), Value::of(std::int64_t{30})};
  BatchPtr out = some->with_column(x_, values);
  CHECK(out->get(0, x_).as_int() == 10);
  CHECK(out->get(1, x_).as_int() == 30);
  CHECK_FALSE(out->find(x_)->present(0));
  CHECK(batch->find(x_) == nullptr);
}

TEST_CASE("the builder reports a record whose keys come in another order") {
  BatchBuilder b;
  std::size_t r = b.add_record();
  b.set(r, n_, Value::of(std::int64_t{1}));
  b.set(r, s_, Value::of(std::int64_t{2}));
  CHECK_FALSE(b.last_record_reordered());
  r = b.add_record();
  b.set(r, n_, Value::of(std::int64_t{3}));
  b.set(r, s_, Value::of(std::int64_t{4}));
  CHECK_FALSE(b.last_record_reordered());
  r = b.add_record();
  b.set(r, s_, Value::of(std::int64_t{5}));
  b.set(r, n_, Value::of(std::int64_t{6}));
  CHECK(b.last_record_reordered());
  b.resize(2);  // end the batch before it
  CHECK_FALSE(b.last_record_reordered());
  BatchPtr batch = b.finish();
  CHECK(batch->size() == 2);
  CHECK(batch->get(1, s_).as_int() == 4);
}

TEST_CASE("the builder is full early when wide records would leave its columns mostly absent") {
  BatchBuilder b(256);
  std::size_t records = 0;
  while (!b.full()) {
    const std::size_t r = b.add_record();
    for (int k = 0; k < 10; ++k)
      b.set(r, field("fmt_sparse_" + std::to_string(records * 10 + static_cast<std::size_t>(k))), Value::of(true));
    ++records;
  }
  CHECK(records < 64);  // a batch of 256 such records would hold 2,560 columns of 256 rows
  CHECK(records > 1);
}

TEST_CASE("column buffers are recycled") {
  const void* first = nullptr;
  {
    BatchPtr batch = numbers(200);
    first = batch->find(n_)->ints().data();
  }
  BatchPtr next = numbers(200);
  CHECK(next->find(n_)->ints().data() == first);  // the freed buffer, from this thread's pool
}

TEST_CASE("a reused small batch and its columns keep nothing of the records before") {
  // Batches of a few records come back whole (with their columns and vectors) for the next
  // one: the next must see only its own rows, types, nulls, selection and origin.
  [[maybe_unused]] const void* old_batch = nullptr;  // checked where batches are pooled (not under ASan)
  [[maybe_unused]] const void* old_column = nullptr;
  std::weak_ptr<const void> held;
  {
    BatchBuilder b(4);
    const std::size_t r0 = b.add_record();
    b.set(r0, s_, b.string("a string longer than twelve bytes"));
    b.set(r0, x_, Value::of(std::int64_t{7}));
    b.set(b.add_record(), x_, Value{});             // an explicit null
    b.set(b.add_record(), x_, Value::of(2.5));      // x turns mixed
    auto ticket = std::make_shared<int>(1);
    held = ticket;
    b.attach(std::move(ticket));
    b.set_origin({3, 9, 40});
    auto batch = std::const_pointer_cast<Batch>(b.finish());
    const std::uint32_t kept[] = {1, 2};
    batch->keep_rows(kept);
    old_batch = batch.get();
    old_column = batch->find(x_);  // the last column freed: the first one taken again
    CHECK(batch->size() == 2);
  }
  CHECK(held.expired());  // a batch's keepalives (a source's ticket) go when the batch does

  BatchBuilder b(4);
  const std::size_t r = b.add_record();
  b.set(r, n_, Value::of(std::int64_t{5}));
  b.add_record();  // a record without fields
  BatchPtr next = b.finish();
#if !defined(__SANITIZE_ADDRESS__)
  CHECK(static_cast<const void*>(next.get()) == old_batch);
  CHECK(static_cast<const void*>(next->find(n_)) == old_column);
#endif
  REQUIRE(next->columns().size() == 1);
  CHECK_FALSE(next->has_selection());
  CHECK(next->size() == 2);
  CHECK(next->origin().batch == 0);
  CHECK(next->keepalive().empty());
  const Column& c = *next->find(n_);
  CHECK(c.type() == ColumnType::int64);
  CHECK(c.size() == 2);
  CHECK(c.valid_rows() == 1);
  CHECK(c.get(0) == Value::of(std::int64_t{5}));
  CHECK_FALSE(c.present(1));  // absent, not the null the column's last user had there
  CHECK(next->get(1, n_).is_null());
}

TEST_CASE("batches held by thread_locals are freed safely when their thread exits") {
  // Thread_locals are destroyed in the reverse order of their construction: `early` outlives
  // the recycling pools' own, `late` does not. Both free their columns into them (or past
  // them) at exit; AddressSanitizer reports a write into a destroyed pool.
  std::thread([] {
    thread_local BatchPtr early;
    early = numbers(300);
    numbers(500);  // buffers freed into this thread's pools
    thread_local BatchPtr late = numbers(700);
    CHECK(early->size() == 300);
    CHECK(late->size() == 700);
  }).join();
  BatchPtr after = numbers(300);  // this thread's pool is untouched
  CHECK(after->find(n_)->ints()[299] == 299);
}

TEST_CASE("fields are found in a wide batch while columns are added, replaced and removed") {
  // Past 16 columns a batch looks fields up in an index kept sorted as columns are added one
  // at a time (map's `set`s); added in descending field order, every insert moves the index.
  auto b = std::make_shared<Batch>(*numbers(4));
  std::vector<Field> fields;
  for (int i = 40; i > 0; --i) fields.push_back(field("fmt_wide_" + std::to_string(i)));
  std::int64_t k = 0;
  for (Field f : fields) {
    Column& c = (k % 2) ? b->column_for_write(f, ColumnType::int64) : [&]() -> Column& {
      b->put(std::make_shared<Column>(f, ColumnType::int64, b->physical_size()));
      return b->column_for_write(f);
    }();
    c.set(0, Value::of(k++));
    for (std::size_t j = 0; j < fields.size(); ++j) {
      const Column* found = b->find(fields[j]);
      INFO("after adding " << k << " columns, field " << field_name(fields[j]));
      if (static_cast<std::int64_t>(j) < k) REQUIRE((found && found->field() == fields[j] && found->get(0).as_int() == static_cast<std::int64_t>(j)));
      else REQUIRE(found == nullptr);
    }
  }
  REQUIRE(b->find(n_) != nullptr);
  b->remove(fields[7]);
  CHECK(b->find(fields[7]) == nullptr);
  for (std::size_t j = 0; j < fields.size(); ++j)
    if (j != 7) CHECK(b->find(fields[j])->get(0).as_int() == static_cast<std::int64_t>(j));
}
