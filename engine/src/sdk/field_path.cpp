// Field names as dotted paths (field_path.hpp).
#include "graph_runner/field_path.hpp"

namespace graph_runner {

void append_path_key(std::string& out, std::string_view key) {
  std::size_t run = 0;
  for (std::size_t i = 0; i < key.size(); ++i) {
    if (key[i] == '.' || key[i] == '\\') {
      out.append(key.data() + run, i - run);
      out += '\\';
      run = i;
    }
  }
  out.append(key.data() + run, key.size() - run);
}

std::string path_join(std::string_view parent, std::string_view key) {
  std::string out;
  out.reserve(parent.size() + key.size() + 1);
  out.append(parent);
  if (!parent.empty()) out += '.';
  append_path_key(out, key);
  return out;
}

std::vector<std::string> path_split(std::string_view field_name) {
  std::vector<std::string> keys(1);
  for (std::size_t i = 0; i < field_name.size(); ++i) {
    const char c = field_name[i];
    if (c == '\\' && i + 1 < field_name.size()) {
      keys.back() += field_name[++i];
    } else if (c == '.') {
      keys.emplace_back();
    } else {
      keys.back() += c;
    }
  }
  return keys;
}

}  // namespace graph_runner
