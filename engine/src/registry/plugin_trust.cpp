#include "registry/plugin_trust.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>

#include <cstdio>
#include <string_view>
#include <vector>

namespace graph_runner::engine {
namespace {

namespace fs = std::filesystem;

// The user-private-group scheme (Debian's default for users, umask 002) makes files group
// writable for a group whose only member is their owner: that gives nobody else write access.
bool group_is_owner_alone(const struct stat& st) {
  std::vector<char> buffer(64 * 1024);
  passwd pw{}, *owner = nullptr;
  group gr{}, *grp = nullptr;
  if (::getpwuid_r(st.st_uid, &pw, buffer.data(), buffer.size() / 2, &owner) != 0 || !owner) return false;
  if (owner->pw_gid != st.st_gid) return false;
  if (::getgrgid_r(st.st_gid, &gr, buffer.data() + buffer.size() / 2, buffer.size() / 2, &grp) != 0 || !grp)
    return false;
  for (char** member = grp->gr_mem; *member; ++member)
    if (std::string_view(*member) != owner->pw_name) return false;
  return true;
}

std::optional<std::string> loose_permissions(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;  // gone: the loader reports that
  const bool group = (st.st_mode & S_IWGRP) && !group_is_owner_alone(st), others = st.st_mode & S_IWOTH;
  if (!group && !others) return std::nullopt;
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  const char* who = group && others ? "group and others" : group ? "its group" : "others";
  return path.string() + " is writable by " + who + " (mode " + mode +
         "); make it writable by its owner only: chmod go-w " + path.string();
}

}  // namespace

std::optional<std::string> untrusted_plugin_location(const fs::path& library) {
  // The folder first: with a loose folder, anyone could replace a library that looks fine.
  fs::path folder = library.parent_path();
  if (folder.empty()) folder = ".";
  if (auto reason = loose_permissions(folder)) return reason;
  return loose_permissions(library);
}

}  // namespace graph_runner::engine
