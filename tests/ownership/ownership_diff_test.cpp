// The differential ownership test (issue 14). SDK 2.0 lets a stage change its input batch in
// place: Emitter::take() hands over the batch itself when the engine moved its only
// reference to the call, and Batch::column_for_write() copies a column only while another
// batch shares it. A mistake there corrupts data silently, in another branch of the graph,
// only under some interleavings. So this test does not reason about any one stage: it runs
// seeded random graphs three ways and requires the same records at every sink.
//
// - The reference: the same graph with RunOptions::hand_over_inputs = false, where every
//   Emitter::take() returns a copy sharing the columns (as if every batch had another
//   consumer), so nothing is ever changed in place that anyone else could hold.
// - Ownership on: the same graph and seed as the engine runs it for real.
// - Each sink's branch alone: the path from the source to that sink and nothing else (no
//   fan-out, so every stage on it is its batches' only consumer and owns them).
// Every stage used is a function of each record alone (no stage depends on which batch a
// record came in), so the multiset of records a sink receives is fixed by the graph and
// the seed whatever the threads do; any difference is a consumer that saw another's change.
//
// Inputs: random_records emits seeded records of random schemas: int, double, bool, short
// (<= 12 bytes, inline in the column) and long strings, mixed-type fields, explicit nulls
// and absent fields, in typed columns or built record by record. select_some turns
// batches into selections (Batch::select) where the generator puts it.
// Stages: the built-in map (overwriting numeric fields, adding new ones, sometimes turning a
// string field into numbers), filter, route (ports), batch (combines batches), throttle
// (fast, slicing batches into selections), chaos (no failures); http_call is left out (network).
// And scribble, a test stage that takes its input and overwrites every value of every
// column in place with garbage (also the rows its selection leaves out), adds a column,
// removes one and drops records: no other branch may ever see any of it.
// Shapes: trees with fan-out 1..4 at the source and after stages, chains of 1..3 stages,
// route ports read by one or two consumers, and now and then a node with a second input from
// an earlier node (a DAG: two branches meet, or a diamond sends the same batch twice); node
// shapes varied (concurrency, ordered, blocking, partition_by, on_error fail or drop), several
// batch sizes. "A branch alone" is a sink with every node it reads from, directly or not.
// Multisets, not sequences: the engine keeps no order across a fan-out, a batch stage or
// concurrency > 1, and an ownership bug changes values or records, which a multiset shows.
// Each sink serialises every record canonically (fields sorted by name, absent ones left
// out, each value with its type; doubles exactly) into a multiset.
//
// A fixed set of seeds runs in CTest (fewer under ASan, where the point is the use-after-free
// and overflow checks). For a soak: OWNERSHIP_DIFF_SEEDS=N runs N seeds, from
// OWNERSHIP_DIFF_FIRST_SEED (default 1); a failure prints its seed, which
// OWNERSHIP_DIFF_FIRST_SEED=S OWNERSHIP_DIFF_SEEDS=1 replays.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "graph_runner/sdk.hpp"
#include "parse/parse_graph.hpp"
#include "registry/plugin_registry.hpp"
#include "run/run_graph.hpp"
#include "validate/validate_graph.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define OWNERSHIP_DIFF_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OWNERSHIP_DIFF_ASAN 1
#endif
#endif

namespace ownership_diff {

using namespace graph_runner;
using namespace graph_runner::engine;

// splitmix64's finaliser.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
std::uint64_t mix(std::uint64_t a, std::uint64_t b) { return mix(mix(a) ^ b); }

// ---- The records: a schema per seed, each value a function of (seed, record, field). ----

enum class Kind { integer, real, boolean, short_text, long_text, any_text, mixed };

struct FieldSpec {
  std::string name;
  Kind kind;
  int null_pct, absent_pct;
};

bool numeric(Kind k) { return k == Kind::integer || k == Kind::real || k == Kind::boolean; }

ColumnType column_type(Kind k) {
  switch (k) {
    case Kind::integer: return ColumnType::int64;
    case Kind::real: return ColumnType::float64;
    case Kind::boolean: return ColumnType::boolean;
    case Kind::mixed: return ColumnType::mixed;
    default: return ColumnType::string;
  }
}

// `id` (an int every record has, 0, 1, 2, ...) and 3..8 more fields; at least one int and one
// double, so that expressions always have something to read.
std::vector<FieldSpec> schema_for(std::uint64_t seed) {
  std::mt19937_64 rng(mix(seed, 0x5c4e3a));
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  const int rates[] = {0, 0, 5, 20, 50};
  std::vector<Kind> kinds = {Kind::integer, Kind::real};
  const int more = 1 + pick(6);
  for (int i = 0; i < more; ++i) kinds.push_back(static_cast<Kind>(pick(7)));
  std::vector<FieldSpec> out;
  std::map<char, int> used;
  for (Kind k : kinds) {
    const char prefix = "idbslam"[static_cast<int>(k)];  // int, double, bool, short, long, any, mixed
    out.push_back(FieldSpec{std::string(1, prefix) + std::to_string(used[prefix]++), k, rates[pick(5)], rates[pick(5)]});
  }
  return out;
}

std::string text(std::uint64_t r, std::size_t length) {
  static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
  std::string s(length, ' ');
  for (auto& c : s) {
    r = mix(r);
    c = letters[r % 64];
  }
  return s;
}

// The value of field `f` in record `k`: nullopt when absent, Value{} for null. Strings are
// returned through `storage`.
std::optional<Value> value_of(std::uint64_t seed, std::uint64_t k, std::size_t f, const FieldSpec& spec,
                              std::string& storage) {
  std::uint64_t r = mix(mix(seed, k), f);
  if (static_cast<int>(r % 100) < spec.absent_pct) return std::nullopt;
  r = mix(r);
  if (static_cast<int>(r % 100) < spec.null_pct) return Value{};
  r = mix(r);
  Kind kind = spec.kind;
  if (kind == Kind::any_text) kind = r & 1 ? Kind::short_text : Kind::long_text;
  if (kind == Kind::mixed) kind = static_cast<Kind>((r >> 8) % 5);  // int, double, bool, short or long text
  r = mix(r);
  switch (kind) {
    case Kind::integer:
      if (r % 50 == 0) return Value::of(static_cast<std::int64_t>(r));  // huge: products leave int64
      return Value::of(static_cast<std::int64_t>(r % 2001) - 1000);
    case Kind::real:
      if (r % 40 == 0) return Value::of(-0.0);
      return Value::of(static_cast<double>(static_cast<std::int64_t>(r % 200001) - 100000) / 64.0);
    case Kind::boolean: return Value::of((r & 1) != 0);
    case Kind::short_text: storage = text(r, (r >> 32) % 13); break;             // 0..12: inline
    default: storage = text(r, 13 + (r >> 32) % 70); break;                      // 13..82: in the arena
  }
  return Value::string_ref(storage);
}

// Seeded records. Each batch is built one of three ways (by the batch number): typed columns
// created up front, record by record (the builder picks the types), or as columns whose type
// does not fit some values (they turn mixed).
class RandomRecords : public Source {
 public:
  explicit RandomRecords(Context& c)
      : seed_(static_cast<std::uint64_t>(c.params().get_int("seed"))),
        count_(static_cast<std::uint64_t>(c.params().get_int("count"))), schema_(schema_for(seed_)), id_(field("id")) {
    for (const auto& s : schema_) fields_.push_back(field(s.name));
  }
  bool read(BatchBuilder& out) override {
    const std::uint64_t way = mix(seed_, 1000000 + batches_++) % 3;
    if (way != 1) {
      out.column(id_, ColumnType::int64);
      for (std::size_t f = 0; f < schema_.size(); ++f)
        out.column(fields_[f], way == 0 ? column_type(schema_[f].kind) : ColumnType::int64);
    }
    std::string storage;
    while (out.size() < out.capacity() && next_ < count_) {
      const std::size_t row = out.add_record();
      out.set(row, id_, Value::of(static_cast<std::int64_t>(next_)));
      for (std::size_t f = 0; f < schema_.size(); ++f) {
        std::optional<Value> v = value_of(seed_, next_, f, schema_[f], storage);
        if (!v) continue;
        if (v->is_text()) v = out.string(v->as_string());
        out.set(row, fields_[f], *v);
      }
      ++next_;
    }
    return next_ < count_;
  }

 private:
  std::uint64_t seed_, count_, next_ = 0, batches_ = 0;
  std::vector<FieldSpec> schema_;
  Field id_;
  std::vector<Field> fields_;
};

// ---- Test stages. ----

// The record's identity for per-record decisions: its `id` (an int, garbled or not).
std::uint64_t key_of(const Batch& b, std::size_t i, Field id) {
  const Value v = b.get(i, id);
  return v.type() == Type::int64 ? static_cast<std::uint64_t>(v.as_int()) : 0x1d;
}

// Emits a selection of its input (Batch::select): the records whose key hashes (with
// `salt`) to a non-multiple of `every`; every = 0 keeps all, still as a selection.
class SelectSome : public Stage {
 public:
  explicit SelectSome(Context& c)
      : salt_(static_cast<std::uint64_t>(c.params().get_int("salt"))),
        every_(static_cast<std::uint64_t>(c.params().get_int("every"))), id_(field("id")) {}
  void process(BatchPtr in, Emitter& out) override {
    std::vector<std::uint32_t> kept;
    for (std::size_t i = 0; i < in->size(); ++i)
      if (every_ == 0 || mix(salt_, key_of(*in, i, id_)) % every_ != 0) kept.push_back(static_cast<std::uint32_t>(i));
    if (!kept.empty()) out.emit(in->select(kept));
  }

 private:
  std::uint64_t salt_, every_;
  Field id_;
};

std::string garbled(std::string_view s) {
  std::string g = "~";
  g.append(s.rbegin(), s.rend());
  if (g.size() <= StringView::max_inline && s.size() % 2 == 0) g.append(20, '#');  // short becomes long
  else if (g.size() > StringView::max_inline && s.size() % 3 == 0) g.resize(5);  // long becomes short
  return g;
}

// `storage` keeps a short garbled string alive until it is set (Batch::string() returns
// short strings by reference, for the column to copy inline).
Value garbage(Value v, Batch& b, std::string& storage) {
  switch (v.type()) {
    case Type::null: return Value::of(std::int64_t{-666});
    case Type::boolean: return Value::of(!v.as_bool());
    case Type::int64: return Value::of(static_cast<std::int64_t>(~static_cast<std::uint64_t>(v.as_int()) * 7 + 13));
    case Type::float64: return Value::of(-v.as_double() * 3 - 1);
    default: storage = garbled(v.as_string()); return b.string(storage);
  }
}

// How often Scribble got its input itself from Emitter::take() (changed in place), and how
// often a copy: the test checks that the reference never hands a batch over and that the
// engine does hand some over, or the comparison would prove nothing.
std::atomic<std::uint64_t> taken_in_place{0}, taken_copied{0};

// Takes its input and overwrites every value of every column in place with garbage (a
// function of the old value, so its own output is the same in every run): every physical
// row, also those its selection leaves out; nulls become values. Then adds a column
// `scribbled`, removes the long-text fields, and drops the records whose garbled id is a
// multiple of 5 (keep_rows). No other consumer may see any of it. With `reject`, it first
// rejects (Emitter::reject, after the take) the records whose id is 3 modulo 7: the engine
// keeps those rows of the batch it no longer owns while the stage goes on writing it.
class Scribble : public Stage {
 public:
  explicit Scribble(Context& c) : reject_(c.params().get_bool("reject")), id_(field("id")), mark_(field("scribbled")) {}
  void process(BatchPtr in, Emitter& out) override {
    const Batch* input = in.get();
    std::shared_ptr<Batch> b = out.take(std::move(in));
    (b.get() == input ? taken_in_place : taken_copied).fetch_add(1, std::memory_order_relaxed);
    std::vector<char> rejected(b->size(), 0);
    for (std::size_t i = 0; reject_ && i < b->size(); ++i)
      if (key_of(*b, i, id_) % 7 == 3) {
        out.reject(*b, i, "scribble: rejected");
        rejected[i] = 1;
      }
    std::vector<Field> fields;
    for (const auto& c : b->columns()) fields.push_back(c->field());
    std::string storage;
    for (Field f : fields) {
      Column& c = b->column_for_write(f);
      for (std::size_t r = 0; r < c.size(); ++r) {
        if (!c.present(r)) continue;
        if (!c.valid(r)) {
          c.set(r, garbage(Value{}, *b, storage));
          continue;
        }
        switch (c.type()) {  // typed columns through their spans, as fast stages write them
          case ColumnType::int64: c.ints_for_write()[r] = garbage(c.get(r), *b, storage).as_int(); break;
          case ColumnType::float64: c.doubles_for_write()[r] = garbage(c.get(r), *b, storage).as_double(); break;
          case ColumnType::boolean: c.bools_for_write()[r] ^= 1; break;
          default: c.set(r, garbage(c.get(r), *b, storage)); break;
        }
      }
    }
    Column& mark = b->column_for_write(mark_, ColumnType::boolean);
    b->for_each_row([&](std::size_t r) { mark.set(r, Value::of(true)); });
    for (Field f : fields)
      if (field_name(f)[0] == 'l') b->remove(f);
    std::vector<std::uint32_t> kept;
    for (std::size_t i = 0; i < b->size(); ++i)
      if (!rejected[i] && key_of(*b, i, id_) % 5 != 0) kept.push_back(static_cast<std::uint32_t>(i));
    if (kept.empty()) return;
    if (kept.size() < b->size()) b->keep_rows(kept);
    out.emit(std::move(b));
  }

 private:
  bool reject_;
  Field id_, mark_;
};

// ---- The sink: every record, canonically. ----

struct Captured {
  std::mutex mutex;
  std::map<std::string, std::vector<std::string>> sinks;  // sink -> records
  std::vector<std::string> malformed;                     // batches that break Batch's invariants
};
Captured& captured() {
  static Captured c;
  return c;
}

std::string render(const Value& v) {
  char buf[64];
  switch (v.type()) {
    case Type::null: return "null";
    case Type::boolean: return v.as_bool() ? "bool:true" : "bool:false";
    case Type::int64: return "int:" + std::to_string(v.as_int());
    case Type::float64: std::snprintf(buf, sizeof buf, "double:%a", v.as_double()); return buf;
    default: {
      std::string s(type_name(v.type()));
      s += ':' + std::to_string(v.as_string().size()) + ':';
      s += v.as_string();
      return s;
    }
  }
}

// "a=int:1 b=null s=string:3:abc", fields sorted by name, absent fields left out.
std::string canonical(const Batch& b, std::size_t i) {
  std::vector<std::pair<std::string_view, std::string>> fields;
  const std::size_t row = b.row(i);
  for (const auto& c : b.columns())
    if (c->present(row)) fields.emplace_back(field_name(c->field()), render(c->get(row)));
  std::sort(fields.begin(), fields.end());
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += ' ';
    out.append(name);
    out += '=';
    out += value;
  }
  return out;
}

std::string check_invariants(const Batch& b) {
  for (const auto& c : b.columns())
    if (c->size() != b.physical_size())
      return "column '" + std::string(field_name(c->field())) + "' has " + std::to_string(c->size()) +
             " rows, the batch " + std::to_string(b.physical_size());
  const auto sel = b.selection();
  for (std::size_t i = 0; i < sel.size(); ++i)
    if (sel[i] >= b.physical_size() || (i > 0 && sel[i] <= sel[i - 1]))
      return "selection not ascending within " + std::to_string(b.physical_size()) + " rows";
  return {};
}

class Capture : public Sink {
 public:
  explicit Capture(Context& c) : name_(c.node_name()) {}
  void write(const Batch& b) override {
    std::vector<std::string> records;
    std::string bad = check_invariants(b);
    if (bad.empty())
      for (std::size_t i = 0; i < b.size(); ++i) records.push_back(canonical(b, i));
    std::lock_guard lock(captured().mutex);
    if (!bad.empty()) captured().malformed.push_back(name_ + ": " + bad);
    auto& mine = captured().sinks[name_];
    mine.insert(mine.end(), std::make_move_iterator(records.begin()), std::make_move_iterator(records.end()));
  }

 private:
  std::string name_;
};

void register_plugins(PluginRegistry& registry) {
  registry.add_static(PluginDescriptor::source<RandomRecords>("random_records", "seeded records of a random schema")
                          .with_params({ParamSpec::integer("seed", "").with_default(std::int64_t{1}),
                                        ParamSpec::integer("count", "").with_default(std::int64_t{1000})}));
  registry.add_static(PluginDescriptor::stage<SelectSome>("select_some", "emits a selection of its input")
                          .with_params({ParamSpec::integer("salt", "").with_default(std::int64_t{0}),
                                        ParamSpec::integer("every", "").with_default(std::int64_t{3})})
                          .thread_safe());
  registry.add_static(PluginDescriptor::stage<Scribble>("scribble", "overwrites its input in place with garbage")
                          .with_params({ParamSpec::boolean("reject", "").with_default(false)}));
  registry.add_static(PluginDescriptor::sink<Capture>("capture", "records every record canonically"));
}

// ---- Running a graph. ----

struct Outcome {
  std::map<std::string, std::vector<std::string>> sinks;  // sorted records per sink
  std::string failure;                                      // empty when the run completed cleanly
  std::uint64_t in_place = 0, copied = 0;                   // Scribble's takes
};

Outcome run(const std::string& toml, bool hand_over_inputs) {
  {
    std::lock_guard lock(captured().mutex);
    captured().sinks.clear();
    captured().malformed.clear();
  }
  taken_in_place = 0;
  taken_copied = 0;
  Outcome o;
  Diagnostics diags;
  GraphSpec spec = parse_graph_text(toml, "ownership.toml", {}, diags);
  PluginRegistry registry;
  register_plugins(registry);
  registry.add_search_dir(GRAPH_RUNNER_TEST_PLUGIN_DIR);  // the built-in plugins
  std::unique_ptr<CheckedGraph> graph;
  if (diags.empty()) graph = validate_graph(std::move(spec), registry, diags);
  if (!graph) {
    o.failure = "the graph does not load:\n" + diags.format();
    return o;
  }
  RunOptions options;
  options.threads = 4;  // more workers than cores: more interleavings
  options.timeout_s = 60;
  options.hand_over_inputs = hand_over_inputs;
  std::string log;
  options.log = [&log](const LogEvent& e) {
    if (e.level >= LogLevel::error) log += format_log_line(e) + "\n";
  };
  RunResult result = run_graph(*graph, options);
  o.in_place = taken_in_place;
  o.copied = taken_copied;
  if (result.status != RunStatus::completed) o.failure = "the run did not complete: " + result.error + "\n" + log;
  std::lock_guard lock(captured().mutex);
  if (!captured().malformed.empty()) o.failure += "malformed batch at sink " + captured().malformed.front() + "\n";
  o.sinks = std::move(captured().sinks);
  for (auto& [name, records] : o.sinks) std::sort(records.begin(), records.end());
  return o;
}

// ---- Random graphs: trees rooted at one source, with a few extra edges (a DAG). ----

struct Node {
  std::string section, name, plugin;
  std::vector<int> parents;         // the first is the node's place in the tree; a second one joins a DAG
  std::vector<std::string> inputs;  // "parent" or "parent.port", one per parent
  std::string body;                 // the other keys, one per line
};

class GraphGen {
 public:
  explicit GraphGen(std::uint64_t seed) : seed_(seed), rng_(mix(seed, 0x6a7b)), schema_(schema_for(seed)) {
    for (const auto& f : schema_)
      if (numeric(f.kind)) numbers_.push_back(f.name);
    max_sinks_ = 3 + pick(6);
    Node src{"sources", "src", "random_records", {}, {}, ""};
    const int counts[] = {300, 1000, 2500};
    const int sizes[] = {1, 7, 64, 256};
    const int count = one_of(counts);
    const int size = one_of(sizes);
    src.body = "seed = " + std::to_string(seed) + "\ncount = " + std::to_string(size == 1 ? 200 : count) +
               "\nbatch_size = " + std::to_string(size) + "\n";
    if (pick(3) == 0) src.body += "max_in_flight = " + std::to_string(2 + pick(8)) + "\n";
    nodes_.push_back(src);
    fan_out(0, "", 0, /*at_least=*/pick(5) == 0 ? 1 : 2);
  }

  const std::vector<Node>& nodes() const { return nodes_; }

  // The graph of `keep` (node indexes, in order), or of every node.
  std::string toml(const std::vector<int>* keep = nullptr) const {
    std::string out = "[graph]\nname = \"ownership\"\n\n";
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      if (keep && std::find(keep->begin(), keep->end(), static_cast<int>(i)) == keep->end()) continue;
      const Node& n = nodes_[i];
      out += "[" + n.section + "." + n.name + "]\nplugin = \"" + n.plugin + "\"\n";
      for (std::size_t k = 0; k < n.inputs.size(); ++k)
        out += (k == 0 ? "inputs = [\"" : ", \"") + n.inputs[k] + (k + 1 == n.inputs.size() ? "\"]\n" : "\"");
      out += n.body + "\n";
    }
    return out;
  }

  // `sink` and every node it reads from, directly or not: its branch alone, without the
  // nodes that share its inputs.
  std::vector<int> path_to(int sink) const {
    std::vector<int> path{sink};
    for (std::size_t k = 0; k < path.size(); ++k)
      for (int p : nodes_[static_cast<std::size_t>(path[k])].parents)
        if (std::find(path.begin(), path.end(), p) == path.end()) path.push_back(p);
    std::sort(path.begin(), path.end());
    return path;
  }

 private:
  int pick(int n) { return static_cast<int>(rng_() % static_cast<std::uint64_t>(n)); }
  template <class T, std::size_t N>
  const T& one_of(const T (&a)[N]) { return a[pick(static_cast<int>(N))]; }

  int add(std::string section, std::string prefix, std::string plugin, int parent, const std::string& port,
          std::string body) {
    Node n{std::move(section), prefix + std::to_string(nodes_.size()), std::move(plugin), {parent}, {}, std::move(body)};
    n.inputs.push_back(nodes_[static_cast<std::size_t>(parent)].name + (port.empty() ? "" : "." + port));
    // Now and then a second input from an earlier node (not a sink): a DAG where batches of
    // two branches (or the same batch twice, through a diamond) meet.
    if (pick(10) == 0) {
      const int other = pick(static_cast<int>(nodes_.size()));
      const Node& o = nodes_[static_cast<std::size_t>(other)];
      std::string input = o.name;
      if (o.plugin == "route") input += std::string(".") + (pick(2) ? "a" : "default");
      if (o.section != "sinks" && std::find(n.inputs.begin(), n.inputs.end(), input) == n.inputs.end()) {
        n.parents.push_back(other);
        n.inputs.push_back(input);
      }
    }
    nodes_.push_back(std::move(n));
    return static_cast<int>(nodes_.size()) - 1;
  }

  // Consumers of (parent, port): `at_least` or more (while sinks are left), each a sink
  // right there or a branch (the source's first consumer always a branch). Where a batch goes to
  // several consumers, a branch often starts with a scribble: its siblings read the very
  // batch it takes.
  void fan_out(int parent, const std::string& port, int depth, int at_least) {
    int n = at_least;
    if (depth < 3 && sinks_ + 2 <= max_sinks_ && pick(3) == 0) n = std::max(n, 2 + pick(3));
    for (int i = 0; i < n; ++i) {
      if (sinks_ >= max_sinks_ && i > 0) break;
      if (sinks_ >= max_sinks_ || depth >= 4 || (parent != 0 || i > 0 ? pick(3) == 0 : false)) sink(parent, port);
      else branch(parent, port, depth, n > 1 && pick(5) < 2);
    }
  }

  void sink(int parent, const std::string& port) {
    std::string body;
    if (pick(4) == 0) body += "concurrency = 2\n";
    add("sinks", "out", "capture", parent, port, body);
    ++sinks_;
  }

  // A chain of 1..3 stages, then consumers.
  void branch(int parent, std::string port, int depth, bool scribble_first) {
    const int chain = 1 + pick(3);
    for (int i = 0; i < chain; ++i) {
      static const char* const kinds[] = {"map", "map", "map", "filter", "filter", "route", "batch", "throttle",
                                          "chaos", "scribble", "scribble", "select_some"};
      const std::string kind = i == 0 && scribble_first ? "scribble" : one_of(kinds);
      if (kind == "route") {
        route(parent, port, depth);
        return;
      }
      parent = stage(kind, parent, port);
      port.clear();
    }
    fan_out(parent, "", depth + 1, 1);
  }

  // The node's shape: how the engine runs it (only the plain shape hands batches over).
  std::string shape(bool thread_safe, const std::string& kind) {
    std::string s;
    const int c = pick(10);
    if (c < 6) {
      if (pick(8) == 0) s += "partition_by = \"id\"\nconcurrency = 2\n";
    } else if (c < 9) {
      s += "concurrency = 2\n";
      if (pick(3) == 0) s += "ordered = true\n";
    } else {
      s += thread_safe ? "concurrency = \"unlimited\"\n" : "concurrency = 3\n";
    }
    if (kind == "throttle" ? pick(2) == 0 : pick(12) == 0) s += "blocking = true\n";
    return s;
  }

  // A numeric operand for expressions: `id` (always there) or a numeric field (which may
  // be null, absent or a string after a map: such records are rejected, and dropped).
  std::string operand() {
    if (numbers_.empty() || pick(3) == 0) return "id";
    return numbers_[static_cast<std::size_t>(pick(static_cast<int>(numbers_.size())))];
  }
  std::string expression() {
    // Every draw in its own statement: the same graph for a seed whatever the compiler.
    static const char* const ops[] = {" + ", " - ", " * "};
    const int form = pick(6);
    const std::string a = operand(), op = one_of(ops), b = operand();
    const int k = pick(400);
    switch (form) {
      case 0: return a + " * " + std::to_string(1 + k % 5);
      case 1: return a + op + b;
      case 2: return a + " / " + std::to_string(2 + k % 7);  // a double
      case 3: return "abs(" + a + ") + 1";                    // a function, value by value
      case 4: return a + " > " + std::to_string(k - 100);     // a bool
      default: return a + op + b + " * 0.5";
    }
  }
  std::string condition() {
    const int form = pick(4);
    const std::string a = operand();
    const int threshold = pick(900) - 200, k = pick(2000);
    switch (form) {
      case 0: return a + " > " + std::to_string(threshold);
      case 1: return a + " < " + std::to_string(threshold) + " || id > " + std::to_string(k);
      case 2: return "abs(" + a + ") > " + std::to_string(k % 300);  // a function, value by value
      default: return "id * 3 + " + a + " >= " + std::to_string(threshold);
    }
  }

  int stage(const std::string& kind, int parent, const std::string& port) {
    std::string body;
    bool thread_safe = true;
    if (kind == "map") {
      body = "on_error = \"drop\"\nset = { ";
      const int n = 1 + pick(3);
      int added = 0;
      for (int i = 0; i < n; ++i) {
        std::string target;
        const int t = pick(5);
        if (t < 2 && !numbers_.empty()) target = numbers_[static_cast<std::size_t>(pick(static_cast<int>(numbers_.size())))];
        else if (t == 2) target = schema_[static_cast<std::size_t>(pick(static_cast<int>(schema_.size())))].name;
        else target = "n" + std::to_string(pick(3));
        if (body.find(" " + target + " = ") != std::string::npos) continue;  // one expression per field
        body += (added++ ? ", " : "") + target + " = \"" + expression() + "\"";
      }
      body += " }\n";
    } else if (kind == "filter") {
      body = "on_error = \"drop\"\nwhere = \"" + condition() + "\"\n";
    } else if (kind == "batch") {
      thread_safe = false;
      const int sizes[] = {3, 50, 300};
      body = "size = " + std::to_string(one_of(sizes)) + "\n";
      if (pick(3) == 0) body += "timeout_ms = 5\n";
    } else if (kind == "throttle") {
      thread_safe = false;
      const int bursts[] = {5, 40, 1000};
      body = "per_second = 1e9\nburst = " + std::to_string(one_of(bursts)) + "\n";
    } else if (kind == "chaos") {
      body = "fail_rate = 0.0\nfail = \"" + std::string(pick(2) ? "record" : "batch") + "\"\n";
      if (pick(3) == 0) body += "sleep_us_per_record = 1\n";
    } else if (kind == "scribble") {
      thread_safe = false;
    } else if (kind == "select_some") {
      const int every[] = {0, 2, 3, 10};
      body = "salt = " + std::to_string(pick(1000)) + "\nevery = " + std::to_string(one_of(every)) + "\n";
    }
    if (kind != "map" && kind != "filter" && pick(3) == 0) {
      body += "on_error = \"drop\"\n";
      if (kind == "scribble" && pick(2) == 0) body += "reject = true\n";  // rejects need a policy that drops
    }
    body += shape(thread_safe, kind);
    return add("stages", kind.substr(0, 4), kind, parent, port, body);
  }

  // A route with two predicates: ports a, b and default, each read by 0..2 consumers (at
  // least one port read); the others are dropped (unread = "drop").
  void route(int parent, const std::string& port, int depth) {
    const std::string a = condition(), b = condition();
    std::string body = "on_error = \"drop\"\nunread = \"drop\"\nroutes = { a = \"" + a + "\", b = \"" + b + "\" }\n";
    body += shape(true, "route");
    const int r = add("stages", "rout", "route", parent, port, body);
    const char* const ports[] = {"a", "b", "default"};
    bool any = false;
    for (const char* p : ports) {
      int consumers = pick(4) == 0 ? 2 : pick(3) == 0 ? 0 : 1;
      if (!any && std::string(p) == "default" && consumers == 0) consumers = 1;
      if (consumers == 0) continue;
      any = true;
      fan_out(r, p, depth + 1, consumers);
    }
  }

  std::uint64_t seed_;
  std::mt19937_64 rng_;
  std::vector<FieldSpec> schema_;
  std::vector<std::string> numbers_;
  std::vector<Node> nodes_;
  int sinks_ = 0, max_sinks_ = 0;
};

// ---- Comparing. ----

// "" when equal; else what differs: counts, and the first record of each side the other
// lacks (both lists sorted).
std::string difference(const std::vector<std::string>& expected, const std::vector<std::string>& got) {
  if (expected == got) return {};
  std::vector<std::string> missing, extra;
  std::set_difference(expected.begin(), expected.end(), got.begin(), got.end(), std::back_inserter(missing));
  std::set_difference(got.begin(), got.end(), expected.begin(), expected.end(), std::back_inserter(extra));
  std::string out = std::to_string(expected.size()) + " record(s) expected, " + std::to_string(got.size()) + " got; " +
                    std::to_string(missing.size()) + " expected record(s) missing, " + std::to_string(extra.size()) +
                    " unexpected\n";
  out += "  first expected record missing: " + (missing.empty() ? std::string("(none)") : missing.front()) + "\n";
  out += "  first record got, not expected: " + (extra.empty() ? std::string("(none)") : extra.front()) + "\n";
  return out;
}

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

// Runs seed `seed` all three ways; "" when every sink agrees, else the report.
struct Totals {
  std::size_t runs = 0;
  std::uint64_t in_place = 0, copied = 0;  // Scribble's takes in the runs with batches handed over
};

std::string check_seed(std::uint64_t seed, Totals& totals) {
  GraphGen gen(seed);
  const std::string graph = gen.toml();
  auto report = [&](const std::string& what) {
    return "seed " + std::to_string(seed) + " (replay: OWNERSHIP_DIFF_FIRST_SEED=" + std::to_string(seed) +
           " OWNERSHIP_DIFF_SEEDS=1): " + what + "--- the graph ---\n" + graph;
  };
  const bool verbose = env_or("OWNERSHIP_DIFF_VERBOSE", 0) != 0;
  if (verbose) std::printf("seed %llu:\n%s", static_cast<unsigned long long>(seed), graph.c_str()), std::fflush(stdout);
  const Outcome reference = run(graph, /*hand_over_inputs=*/false);
  const Outcome owned = run(graph, /*hand_over_inputs=*/true);
  totals.runs += 2;
  totals.in_place += owned.in_place;
  totals.copied += owned.copied;
  if (!reference.failure.empty()) return report("the reference run (no hand-over) failed: " + reference.failure);
  // Checked after the records (a difference is the clearer message), before the branches alone.
  const std::string reference_owned =
      reference.in_place == 0 ? std::string()
                              : "the reference run handed " + std::to_string(reference.in_place) +
                                    " batch(es) over to scribble: RunOptions::hand_over_inputs = false did not stop it\n";
  if (verbose) {  // what a seed covers: what each sink got
    std::string sinks;
    for (const auto& [name, records] : reference.sinks) {
      const auto scribbled = std::count_if(records.begin(), records.end(),
                                           [](const std::string& r) { return r.find("scribbled=") != std::string::npos; });
      sinks += " " + name + ":" + std::to_string(records.size()) + (scribbled ? "(scribbled)" : "");
    }
    std::printf("seed %llu sinks:%s; scribble took %llu batch(es) in place, %llu copied\n\n",
                static_cast<unsigned long long>(seed), sinks.c_str(), static_cast<unsigned long long>(owned.in_place),
                static_cast<unsigned long long>(owned.copied));
  }
  const std::vector<std::string> none;
  auto records_of = [&](const Outcome& o, const std::string& sink) -> const std::vector<std::string>& {
    auto it = o.sinks.find(sink);
    return it == o.sinks.end() ? none : it->second;
  };
  // Ownership on against the reference, every sink. A failed run (the engine's own
  // accounting may notice a batch changed under another consumer) still shows the first
  // record that differs.
  for (const Node& n : gen.nodes()) {
    if (n.section != "sinks") continue;
    if (std::string d = difference(records_of(reference, n.name), records_of(owned, n.name)); !d.empty())
      return report(reference_owned + (owned.failure.empty() ? "" : "the run failed: " + owned.failure) + "sink '" + n.name +
                    "' differs with batches handed over (got) from the reference run, where every take() copies " +
                    "(expected):\n" + d);
  }
  if (!owned.failure.empty()) return report("the run failed: " + owned.failure);
  if (!reference_owned.empty()) return report(reference_owned);
  // Each sink's branch alone: no fan-out anywhere on its path.
  for (std::size_t i = 0; i < gen.nodes().size(); ++i) {
    const Node& n = gen.nodes()[i];
    if (n.section != "sinks") continue;
    const std::vector<int> path = gen.path_to(static_cast<int>(i));
    const std::string alone_graph = gen.toml(&path);
    const Outcome alone = run(alone_graph, true);
    ++totals.runs;
    totals.in_place += alone.in_place;
    totals.copied += alone.copied;
    std::string d = difference(records_of(reference, n.name), records_of(alone, n.name));
    if (!d.empty() || !alone.failure.empty())
      return report((alone.failure.empty() ? "" : "the branch alone failed: " + alone.failure) + "sink '" + n.name +
                    "' run alone (got) against the fan-out graph's reference run (expected):\n" + d +
                    "--- the branch alone ---\n" + alone_graph);
  }
  return {};
}

}  // namespace ownership_diff

TEST_CASE("ownership: every sink sees what a run that never hands batches over sees", "[ownership][engine]") {
  using namespace ownership_diff;
#ifdef OWNERSHIP_DIFF_ASAN
  const std::uint64_t default_seeds = 20;
#else
  const std::uint64_t default_seeds = 80;
#endif
  const std::uint64_t first = env_or("OWNERSHIP_DIFF_FIRST_SEED", 1);
  const std::uint64_t seeds = env_or("OWNERSHIP_DIFF_SEEDS", default_seeds);
  const auto started = std::chrono::steady_clock::now();
  Totals totals;
  std::string first_failure, failing;  // the first failing seed's report; every failing seed
  std::size_t failures = 0;
  for (std::uint64_t seed = first; seed < first + seeds && failures < 10; ++seed) {
    // Reported if the run crashes (a batch changed under a reader can do that, too).
    INFO("running seed " << seed << " (replay: OWNERSHIP_DIFF_FIRST_SEED=" << seed
                         << " OWNERSHIP_DIFF_SEEDS=1; OWNERSHIP_DIFF_VERBOSE=1 prints its graph)");
    std::string failure = check_seed(seed, totals);
    if (failure.empty()) continue;
    if (failures++ == 0) first_failure = std::move(failure);
    failing += " " + std::to_string(seed);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (failures > 0)
    FAIL(failures << " failing seed(s) (stops at 10):" << failing << "\nThe first:\n" << first_failure);
  WARN(seeds << " seeds, " << totals.runs << " runs in " << seconds << " s; scribble took " << totals.in_place
             << " batch(es) in place, " << totals.copied << " copied");
  // Without batches handed over the comparison proves nothing: the engine must still do it.
  CHECK(totals.in_place > 0);
}
