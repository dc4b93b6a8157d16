#include "merge.hpp"

#include <unordered_map>

namespace graph_runner::plugins {

namespace {

std::string_view kind_name(ResponseItem::Kind k) {
  switch (k) {
    case ResponseItem::Kind::object: return "an object";
    case ResponseItem::Kind::boolean: return "a bool";
    case ResponseItem::Kind::null: return "null";
    case ResponseItem::Kind::other: return "a string or a number";
    case ResponseItem::Kind::failed: return "missing";
  }
  return "?";
}

}  // namespace

Field ResponseMerger::target(std::uint32_t slot, const std::vector<std::string>& slot_names) {
  while (targets_.size() <= slot) {
    const std::string& name = slot_names[targets_.size()];
    std::string to = options_.prefix + name;
    for (const auto& [from, renamed] : options_.rename)
      if (from == name) to = renamed;
    targets_.push_back(field(to));
  }
  return targets_[slot];
}

MergeResult ResponseMerger::by_position(const BatchPtr& in, const ResponseItems& items,
                                        const std::vector<std::string>& slot_names) {
  if (items.items.size() != in->size())
    throw ResponseError("the response has " + std::to_string(items.items.size()) + " item(s) for " +
                        std::to_string(in->size()) + " record(s); matched by position, they must be as many");
  std::vector<std::int64_t> item_of_row(in->size());
  for (std::size_t i = 0; i < item_of_row.size(); ++i) item_of_row[i] = static_cast<std::int64_t>(i);
  return merge(in, items, item_of_row, slot_names, Field{});
}

MergeResult ResponseMerger::by_key(const BatchPtr& in, Field key, const ResponseItems& items,
                                   const std::vector<std::string>& slot_names) {
  std::unordered_map<std::string, std::int64_t> by_key;
  for (std::size_t i = 0; i < items.items.size(); ++i)
    if (items.items[i].key) by_key[*items.items[i].key] = static_cast<std::int64_t>(i);
  std::vector<std::int64_t> item_of_row(in->size(), -1);
  std::string text;
  if (const Column* keys = in->find(key))
    for (std::size_t row = 0; row < in->size(); ++row)
      if (key_text(keys->values[row], text))
        if (auto it = by_key.find(text); it != by_key.end()) item_of_row[row] = it->second;
  return merge(in, items, item_of_row, slot_names, key);
}

MergeResult ResponseMerger::merge(const BatchPtr& in, const ResponseItems& items, std::span<const std::int64_t> item_of_row,
                                  const std::vector<std::string>& slot_names, Field key) {
  const std::size_t rows = in->size();
  // A record without a value from the response keeps what it had (null when nothing).
  std::vector<std::vector<Value>> columns(slot_names.size());
  for (std::uint32_t s = 0; s < columns.size(); ++s) {
    const Column* had = in->find(target(s, slot_names));
    columns[s] = had ? had->values : std::vector<Value>(rows);
  }
  MergeResult result;
  std::vector<std::uint32_t> kept;
  kept.reserve(rows);
  for (std::uint32_t row = 0; row < rows; ++row) {
    const ResponseItem* item = item_of_row[row] < 0 ? nullptr : &items.items[static_cast<std::size_t>(item_of_row[row])];
    if (item && item->kind == ResponseItem::Kind::failed) {  // its own request failed
      result.rejected.emplace_back(row, item->problem);
      continue;
    }
    if (!item || item->kind == ResponseItem::Kind::null) {
      if (options_.unmatched == Unmatched::keep) kept.push_back(row);
      if (options_.unmatched != Unmatched::reject) continue;
      std::string why = "the response has no item for this record";
      if (key.valid()) {
        std::string text;
        why += key_text(in->get(row, key), text) ? " (" + std::string(field_name(key)) + " = " + text + ")"
                                                 : " (it has no " + std::string(field_name(key)) + ")";
      }
      result.rejected.emplace_back(row, std::move(why));
      continue;
    }
    if (options_.filter) {
      if (!item->keep) {
        result.rejected.emplace_back(row, item->problem);
        continue;
      }
      if (!*item->keep) continue;
    } else if (item->kind != ResponseItem::Kind::object) {
      result.rejected.emplace_back(row, "the response item for this record is " + std::string(kind_name(item->kind)) +
                                            ", expected an object");
      continue;
    }
    kept.push_back(row);
    for (const auto& [slot, v] : item->values) columns[slot][row] = v;
  }
  BatchPtr out = in;
  for (std::uint32_t s = 0; s < columns.size(); ++s)
    out = out->with_column(target(s, slot_names), std::move(columns[s]), items.arena);
  if (kept.empty()) out = nullptr;
  else if (kept.size() < rows) out = out->select(kept);
  result.out = std::move(out);
  return result;
}

}  // namespace graph_runner::plugins
