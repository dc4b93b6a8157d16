#pragma once
// CSV text, shared by the csv source and the csv sink: splitting records into fields
// (RFC 4180 quoting), reading a field as a typed value, and quoting on output.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graph_runner/batch.hpp"

namespace graph_runner::plugins {

/// One field of a record: its text without quotes (doubled quotes undone), and whether it
/// was quoted ("" is an empty string, an empty unquoted field is null).
struct CsvField {
  std::string_view text;
  bool quoted = false;
};

/// Splits records into fields. Fed line by line (without newlines), so that a quoted field
/// may span lines: feed() returns false while the record is not complete.
/// Lenient where RFC 4180 is strict, as spreadsheets are: a quote inside an unquoted field,
/// or text after a closing quote, is kept as written.
class CsvSplitter {
 public:
  explicit CsvSplitter(char delimiter) : delimiter_(delimiter) {}
  /// Adds a line to the current record; true when the record is complete.
  bool feed(std::string_view line);
  /// The fields of the record completed by the last feed(); valid until the next feed().
  const std::vector<CsvField>& fields() const noexcept { return fields_; }
  /// True while a quoted field is open (the record continues on the next line).
  bool in_quotes() const noexcept { return state_ == State::quoted; }
  /// Forgets the record being read: the next feed() starts a new one.
  void reset() noexcept { state_ = State::start; }
  /// Drops the text kept of an unfinished record but not its quote state: feeding on finds
  /// where a record too long to keep ends, without holding it.
  void drop_text() noexcept {
    text_.clear();
    ends_.clear();
    quoted_fields_.clear();
  }

 private:
  enum class State { start, unquoted, quoted, quote_in_quoted };
  void end_field();

  const char delimiter_;
  State state_ = State::start;
  bool quoted_ = false;
  std::string text_;                   // the record's fields, back to back
  std::vector<std::size_t> ends_;      // end offset of each field in text_
  std::vector<bool> quoted_fields_;
  std::vector<CsvField> fields_;
};

/// The type of a column: declared with `types = { age = "int" }`, or inferred per value.
enum class CsvType { infer, integer, number, string, boolean };

/// "int", "double", "string", "bool" -> the type; nullopt for anything else.
std::optional<CsvType> csv_type(std::string_view name);

/// A field as a value. Inferred (unquoted fields only; a quoted field is a string): empty ->
/// null; an integer that fits int64 -> int (but not with a leading zero, as in "007": an
/// identifier, not a number); a decimal number -> double; true/false -> bool; else string.
/// Declared types also accept quoted fields and surrounding spaces; empty is null.
/// Returns nullopt when the text is not a valid value of the declared type.
std::optional<Value> csv_value(const CsvField& f, CsvType type, BatchBuilder& out);

/// True when the csv source would not read `text`, unquoted, back as that string (it would be
/// null, a number or a bool, or it holds a delimiter, quote, newline or edge space).
bool csv_needs_quotes(std::string_view text, char delimiter);

/// Appends `text` as one CSV field: quoted (with doubled quotes) when csv_needs_quotes.
void append_csv_field(std::string& out, std::string_view text, char delimiter);

/// Appends a value as one CSV field, as read_csv reads it back: null is an empty field,
/// non-finite doubles too (as JSON's null), bytes are base64, strings quoted when needed.
void append_csv_value(std::string& out, const Value& v, char delimiter);

}  // namespace graph_runner::plugins
