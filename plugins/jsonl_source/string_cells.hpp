#pragma once
// Strings from JSON text into column cells, for the jsonl source's hot loop: the end of a
// string found a word at a time, and a StringView built in registers. Both read a few bytes
// past the string, which simdjson's padding (every input it parses has 64 bytes after it)
// makes safe; callers pass only text that simdjson is parsing, whose padding is zero bytes
// (the block reader's, parse_json's buffer, simdjson::padded_string).
//
// Why in registers: a StringView built field by field on the stack and then copied as 16
// bytes into the column cost a store-forwarding stall each (the hottest instructions of
// JsonFields::add_members in a profile, about 10% of a nested-JSONL run).
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "graph_runner/value.hpp"

namespace graph_runner::plugins {

/// The length of the JSON string text at `p` (just after its opening quote) up to the first
/// '"', '\\' or NUL: the whole string when p[result] is '"' (it has no escape). A NUL stops
/// a string left open at the end of the input at the padding (a read past the padding
/// otherwise: fuzz_jsonl, corpus jsonl/crash-unclosed-string-at-end); no JSON string holds
/// one. Reads whole words, up to 7 bytes past that character.
inline std::size_t plain_string_length(const char* p) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  for (std::size_t i = 0;; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    const std::uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    // A zero byte of q, b or w: a quote, a backslash or a NUL. (Borrows can mark bytes above
    // the first zero byte too, never below it: the lowest mark is exact.)
    const std::uint64_t found = ((q - ones) & ~q & highs) | ((b - ones) & ~b & highs) | ((w - ones) & ~w & highs);
    if (found) {
      if constexpr (std::endian::native == std::endian::little) return i + std::countr_zero(found) / 8;
      std::size_t k = 0;  // big-endian: the first byte in memory order
      while (p[i + k] != '"' && p[i + k] != '\\' && p[i + k] != '\0') ++k;
      return i + k;
    }
  }
}

/// Sets `cell` to a view of `s` (at most StringView::max_inline bytes, copied in), reading
/// 12 bytes at s.data() whatever its size.
inline void store_short_string(StringView& cell, std::string_view s) noexcept {
  if constexpr (std::endian::native != std::endian::little) {
    cell = StringView(s);
    return;
  }
  // StringView's layout: a 4-byte length, then 12 bytes of text, zero-padded.
  const std::size_t n = s.size();
  std::uint64_t a;
  std::uint32_t c;
  std::memcpy(&a, s.data(), 8);
  std::memcpy(&c, s.data() + 8, 4);
  a &= n >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * n)) - 1;
  c &= n >= 12 ? ~std::uint32_t{0} : n <= 8 ? 0 : (std::uint32_t{1} << (8 * (n - 8))) - 1;
  const std::uint64_t lo = n | (a << 32), hi = (a >> 32) | (std::uint64_t{c} << 32);
  static_assert(sizeof(StringView) == 16);
  std::memcpy(reinterpret_cast<char*>(&cell), &lo, 8);
  std::memcpy(reinterpret_cast<char*>(&cell) + 8, &hi, 8);
}

/// Sets `cell` to a view of `s`, longer than StringView::max_inline, referenced (`s` must
/// live as long as the cell: the batch's arena).
inline void store_long_string(StringView& cell, std::string_view s) noexcept {
  if constexpr (std::endian::native != std::endian::little) {
    cell = StringView(s);
    return;
  }
  std::uint32_t head;
  std::memcpy(&head, s.data(), 4);
  const char* p = s.data();
  const std::uint64_t lo = s.size() | (std::uint64_t{head} << 32);
  std::memcpy(reinterpret_cast<char*>(&cell), &lo, 8);
  std::memcpy(reinterpret_cast<char*>(&cell) + 8, &p, 8);
}

}  // namespace graph_runner::plugins
