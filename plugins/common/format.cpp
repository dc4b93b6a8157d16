#include "format.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "graph_runner/field_path.hpp"

namespace graph_runner::plugins {
namespace {

bool continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the valid UTF-8 sequence starting at p (n bytes left), or 0 if invalid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_sequence(const unsigned char* p, std::size_t n) {
  unsigned char c = p[0];
  std::size_t len;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) len = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (n < len || p[1] < lo || p[1] > hi) return 0;
  for (std::size_t i = 2; i < len; ++i)
    if (!continuation(p[i])) return 0;
  return len;
}

void append_int(std::string& out, std::int64_t i) {
  std::array<char, 24> buf;
  auto r = std::to_chars(buf.data(), buf.data() + buf.size(), i);
  out.append(buf.data(), r.ptr);
}

void append_value(std::string& out, const Value& v, bool json) {
  switch (v.type()) {
    case Type::null: out += "null"; return;
    case Type::boolean: out += v.as_bool() ? "true" : "false"; return;
    case Type::int64: append_int(out, v.as_int()); return;
    case Type::float64: append_double(out, v.as_double(), json); return;
    case Type::string: append_json_string(out, v.as_string()); return;
    case Type::bytes:
      out += '"';
      append_base64(out, v.as_string());
      out += '"';
      return;
    case Type::json: out += v.as_string(); return;  // JSON text, kept verbatim
  }
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  out += '"';
  std::size_t run = 0;  // start of the pending run of bytes copied as they are
  for (std::size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (std::size_t len = utf8_sequence(p + i, n - i)) {
        i += len;
        continue;
      }
    }
    out.append(s.data() + run, i - run);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 0xF];
        } else {
          out += "\\ufffd";  // a byte that is not valid UTF-8
        }
    }
    run = ++i;
  }
  out.append(s.data() + run, n - run);
  out += '"';
}

void append_double(std::string& out, double d, bool json) {
  if (!std::isfinite(d)) {
    if (json) out += "null";
    else out += std::isnan(d) ? "nan" : (d > 0 ? "inf" : "-inf");
    return;
  }
  std::array<char, 32> buf;
  auto r = std::to_chars(buf.data(), buf.data() + buf.size(), d);
  std::string_view text(buf.data(), static_cast<std::size_t>(r.ptr - buf.data()));
  out += text;
  if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
}

void append_base64(std::string& out, std::string_view bytes) {
  static constexpr char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t w = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    for (int shift : {18, 12, 6, 0}) out += digits[(w >> shift) & 63];
  }
  if (std::size_t left = bytes.size() - i) {
    std::uint32_t w = p[i] << 16;
    if (left == 2) w |= p[i + 1] << 8;
    out += digits[(w >> 18) & 63];
    out += digits[(w >> 12) & 63];
    out += left == 2 ? digits[(w >> 6) & 63] : '=';
    out += '=';
  }
}

void append_json_value(std::string& out, const Value& v) { append_value(out, v, true); }
void append_readable_value(std::string& out, const Value& v) { append_value(out, v, false); }

void json_layout(const Batch& batch, JsonLayout& layout) {
  layout.columns.clear();
  layout.keys.clear();
  layout.text.clear();
  layout.nested = false;
  auto add_key = [&layout](std::string_view key) {
    const std::size_t offset = layout.text.size();
    append_json_string(layout.text, key);
    layout.text += ':';
    layout.keys.emplace_back(static_cast<std::uint32_t>(offset), static_cast<std::uint32_t>(layout.text.size() - offset));
  };
  for (const auto& c : batch.columns()) {
    JsonLayout::Entry e;
    e.column = c.get();
    e.first_key = static_cast<std::uint32_t>(layout.keys.size());
    const std::string_view name = field_name(c->field());
    if (is_path(name)) {
      for (const auto& key : path_split(name)) add_key(key);
      e.levels = static_cast<std::uint32_t>(layout.keys.size() - e.first_key - 1);
    } else {
      add_key(name);
    }
    if (e.levels > 0) layout.nested = true;
    layout.columns.push_back(e);
  }
}

namespace {

void append_cell(std::string& out, const Column& c, std::size_t row) {
  if (!c.valid(row)) {
    out += "null";
    return;
  }
  switch (c.type()) {
    case ColumnType::int64: append_int(out, c.ints()[row]); return;
    case ColumnType::float64: append_double(out, c.doubles()[row], true); return;
    case ColumnType::string: append_json_string(out, c.strings()[row].view()); return;
    case ColumnType::json: out += c.strings()[row].view(); return;
    default: append_json_value(out, c.get(row)); return;
  }
}

}  // namespace

void append_json_record(std::string& out, const Batch& batch, std::size_t i, const JsonLayout& layout) {
  const std::size_t row = batch.row(i);
  out += '{';
  if (!layout.nested) {
    bool first = true;
    for (const auto& e : layout.columns) {
      if (!e.column->present(row)) continue;  // absent: the record has no such key
      if (!first) out += ',';
      first = false;
      out += layout.key(e, 0);
      append_cell(out, *e.column, row);
    }
    out += '}';
    return;
  }
  // Paths: the objects opened for the previous field stay open while the next field shares
  // their keys; the others are closed, and the new ones opened.
  const JsonLayout::Entry* open_entry = nullptr;  // whose keys[0 .. open) are open objects
  std::size_t open = 0;
  bool comma = false;
  for (const auto& e : layout.columns) {
    if (!e.column->present(row)) continue;
    const std::size_t levels = e.levels;  // objects around the value
    std::size_t common = 0;
    if (open_entry) {
      const std::size_t most = std::min(open, levels);
      while (common < most && layout.key(*open_entry, common) == layout.key(e, common)) ++common;
    }
    for (; open > common; --open) {
      out += '}';
      comma = true;
    }
    for (std::size_t d = common; d < levels; ++d) {
      if (comma) out += ',';
      out += layout.key(e, d);
      out += '{';
      comma = false;
    }
    open = levels;
    open_entry = &e;
    if (comma) out += ',';
    out += layout.key(e, levels);
    append_cell(out, *e.column, row);
    comma = true;
  }
  for (; open > 0; --open) out += '}';
  out += '}';
}

}  // namespace graph_runner::plugins
