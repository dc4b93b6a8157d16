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
  const auto item_of_row = match(*in, Field{}, items);
  return merge(std::make_shared<Batch>(*in), items, item_of_row, slot_names, Field{});
}

MergeResult ResponseMerger::by_key(const BatchPtr& in, Field key, const ResponseItems& items,
                                   const std::vector<std::string>& slot_names) {
  const auto item_of_row = match(*in, key, items);
  return merge(std::make_shared<Batch>(*in), items, item_of_row, slot_names, key);
}

std::vector<std::int64_t> ResponseMerger::match(const Batch& in, Field key, const ResponseItems& items) const {
  if (!key.valid()) {
    if (items.items.size() != in.size())
      throw ResponseError("the response has " + std::to_string(items.items.size()) + " item(s) for " +
                          std::to_string(in.size()) + " record(s); matched by position, they must be as many");
    std::vector<std::int64_t> item_of_row(in.size());
    for (std::size_t i = 0; i < item_of_row.size(); ++i) item_of_row[i] = static_cast<std::int64_t>(i);
    return item_of_row;
  }
  std::unordered_map<std::string, std::int64_t> by_key;
  for (std::size_t i = 0; i < items.items.size(); ++i)
    if (items.items[i].key) by_key[*items.items[i].key] = static_cast<std::int64_t>(i);
  std::vector<std::int64_t> item_of_row(in.size(), -1);
  std::string text;
  if (const Column* keys = in.find(key))
    for (std::size_t i = 0; i < in.size(); ++i)
      if (key_text(keys->get(in.row(i)), text))
        if (auto it = by_key.find(text); it != by_key.end()) item_of_row[i] = it->second;
  return item_of_row;
}

MergeResult ResponseMerger::merge(std::shared_ptr<Batch> batch, const ResponseItems& items,
                                  std::span<const std::int64_t> item_of_row, const std::vector<std::string>& slot_names,
                                  Field key) {
  const std::size_t rows = batch->size();
  // The response's values are written into the batch's columns (in place when the batch
  // alone holds them): a record without a value from the response keeps what it had
  // (absent when nothing). A column is fetched for writing only once some record gets a value.
  std::vector<Column*> columns(slot_names.size(), nullptr);
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
        why += key_text(batch->get(row, key), text) ? " (" + std::string(field_name(key)) + " = " + text + ")"
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
    const std::size_t physical = batch->row(row);
    for (const auto& [slot, v] : item->values) {
      Column*& c = columns[slot];
      if (!c) c = &batch->column_for_write(target(slot, slot_names));
      c->set(physical, v);  // Value{}: an explicit null
    }
  }
  batch->attach(items.arena);  // the response's strings
  BatchPtr all = std::move(batch);
  result.all = all;
  if (kept.size() == rows) result.out = all;
  else if (!kept.empty()) result.out = all->select(kept);
  return result;
}

}  // namespace graph_runner::plugins
