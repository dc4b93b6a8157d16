// Baseline for the nested-JSONL workload (bench.py, issue 14: "simdjson iterate_many alone
// reads ~1,100 MB/s here"): the JSON-lines file read with simdjson's On-Demand document stream
// (`iterate_many`) on one thread, every value of every line touched: objects and arrays
// walked to the leaves, keys and strings unescaped, numbers parsed as int64, uint64 or double,
// booleans and nulls read. A hash of it all is summed so that nothing can be left out by the
// optimizer; it is not count's checksum (bench.py compares the record counts only).
//
// The file is read in blocks of whole lines (1 MiB, the jsonl source's block size), each parsed
// with one iterate_many over the block, buffers reused.
//
//   simdjson_iterate_many FILE [BLOCK_BYTES]   -> total: N records, checksum X
#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "seed_work.hpp"

namespace od = simdjson::ondemand;

namespace {

std::uint64_t touch(od::value v);

std::uint64_t touch_object(od::object o) {
  std::uint64_t h = 0x6f626a;
  for (auto field : o) {
    std::string_view key;
    if (field.unescaped_key().get(key)) std::abort();
    h = bench::mix(h ^ bench::hash_bytes(key, 0x6b6579)) + touch(field.value());
  }
  return h;
}

std::uint64_t touch(od::value v) {
  od::json_type type;
  if (v.type().get(type)) std::abort();
  switch (type) {
    case od::json_type::object: {
      od::object o;
      if (v.get_object().get(o)) std::abort();
      return touch_object(o);
    }
    case od::json_type::array: {
      od::array a;
      if (v.get_array().get(a)) std::abort();
      std::uint64_t h = 0x617272;
      for (auto element : a) {
        od::value e;
        if (element.get(e)) std::abort();
        h = bench::mix(h) + touch(e);
      }
      return h;
    }
    case od::json_type::number: {
      od::number n;  // parsed once, as int64, uint64 or double
      if (v.get_number().get(n)) std::abort();
      if (n.is_int64()) return bench::hash_int(n.get_int64());
      if (n.is_uint64()) return bench::mix(n.get_uint64());
      return bench::hash_double(n.get_double());
    }
    case od::json_type::string: {
      std::string_view s;
      if (v.get_string().get(s)) std::abort();
      return bench::hash_string(s);
    }
    case od::json_type::boolean: {
      bool b;
      if (v.get_bool().get(b)) std::abort();
      return bench::mix(b ? 1 : 2);
    }
    case od::json_type::null:
      return bench::mix(3);
  }
  return 0;
}

// Parses one block of whole lines; returns false on a parse error (reported).
bool parse_block(od::parser& parser, const char* text, std::size_t size, std::uint64_t& records, std::uint64_t& sum) {
  od::document_stream stream;
  if (auto e = parser.iterate_many(text, size, size).get(stream)) {
    std::fprintf(stderr, "iterate_many: %s\n", simdjson::error_message(e));
    return false;
  }
  for (auto doc : stream) {
    od::object o;
    if (auto e = doc.get_object().get(o)) {
      std::fprintf(stderr, "line %llu: %s\n", static_cast<unsigned long long>(records + 1), simdjson::error_message(e));
      return false;
    }
    sum += bench::mix(touch_object(o));
    ++records;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: simdjson_iterate_many FILE [BLOCK_BYTES]\n");
    return 2;
  }
  const std::size_t block = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : std::size_t{1} << 20;
  std::FILE* file = std::fopen(argv[1], "rb");
  if (!file) {
    std::perror(argv[1]);
    return 1;
  }
  // One buffer for every block (with simdjson's padding), as a streaming reader keeps it: the
  // block's last partial line moves to the front and the next read appends to it.
  std::vector<char> buffer(block + simdjson::SIMDJSON_PADDING);
  od::parser parser;
  std::uint64_t records = 0, sum = 0;
  std::size_t held = 0;
  for (;;) {
    const std::size_t got = std::fread(buffer.data() + held, 1, block - held, file);
    const std::size_t size = held + got;
    if (size == 0) break;
    std::size_t end = size;
    if (got > 0) {  // whole lines only, unless the file ended
      while (end > 0 && buffer[end - 1] != '\n') --end;
      if (end == 0) {
        std::fprintf(stderr, "%s: a line longer than the block (%zu bytes)\n", argv[1], block);
        return 1;
      }
    }
    if (!parse_block(parser, buffer.data(), end, records, sum)) return 1;
    held = size - end;
    std::memmove(buffer.data(), buffer.data() + end, held);
    if (got == 0) break;
  }
  std::fclose(file);
  std::printf("total: %llu records, checksum %016llx\n", static_cast<unsigned long long>(records),
              static_cast<unsigned long long>(sum));
}
