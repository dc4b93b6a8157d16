#include "registry/plugin_trust.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <string_view>
#include <vector>

namespace graph_runner::engine {
namespace {

namespace fs = std::filesystem;

constexpr int max_links = 40;  // the kernel's own limit before ELOOP

std::optional<std::string> account_name(uid_t uid) {
  std::vector<char> buffer(16 * 1024);
  passwd pw{}, *found = nullptr;
  if (::getpwuid_r(uid, &pw, buffer.data(), buffer.size(), &found) == 0 && found) return std::string(found->pw_name);
  return std::nullopt;
}

// "bob", or "uid 4242" for an owner without an account.
std::string user_text(uid_t uid) { return account_name(uid).value_or("uid " + std::to_string(uid)); }

// "bob (uid 1000)", or "uid 4242".
std::string owner_text(uid_t uid) {
  const auto name = account_name(uid);
  return name ? *name + " (uid " + std::to_string(uid) + ")" : "uid " + std::to_string(uid);
}

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

// Who besides the owner may write `st`, or nullptr when nobody may.
const char* other_writers(const struct stat& st) {
  const bool group = (st.st_mode & S_IWGRP) && !group_is_owner_alone(st), others = st.st_mode & S_IWOTH;
  return group && others ? "group and others" : group ? "its group" : others ? "others" : nullptr;
}

// One step of the walk: `path` (lstat'ed into `st`) must belong to root or to us, and unless it
// is a symlink (whose mode means nothing) be writable by its owner only. `sticky_ok`: a sticky
// folder writable by others passes, because the next step checks the owner of what is in it.
std::optional<std::string> untrusted_step(const fs::path& path, const struct stat& st, bool sticky_ok) {
  const uid_t me = ::geteuid();
  if (st.st_uid != 0 && st.st_uid != me) {
    const std::string owned = path.string() + " is owned by " + owner_text(st.st_uid) + ", not ";
    const std::string swap = " could swap the plugin; ";
    if (me == 0) return owned + "root, so " + user_text(st.st_uid) + swap + "make it root's: chown root " + path.string();
    const std::string my_name = account_name(me).value_or(std::to_string(me));  // chown takes a uid too
    return owned + my_name + " or root, so " + user_text(st.st_uid) + swap + "make it yours: chown " + my_name + " " +
           path.string();
  }
  if (S_ISLNK(st.st_mode)) return std::nullopt;
  const char* writers = other_writers(st);
  if (!writers || (sticky_ok && S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX))) return std::nullopt;
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  return path.string() + ", owned by " + user_text(st.st_uid) + ", is writable by " + writers + " (mode " + mode +
         "); make it writable by its owner only: chmod go-w " + path.string();
}

std::optional<std::string> cannot_check(const fs::path& path, int error) {
  return "cannot check " + path.string() + ": " + std::strerror(error);
}

// Puts the parts of `path` before what is still to walk, leaving out "" and "." so that the
// last entry is always the name of what we finally open.
void push_front(std::deque<fs::path>& pending, const fs::path& path) {
  std::vector<fs::path> parts;
  for (const fs::path& part : path.relative_path())
    if (!part.empty() && part != ".") parts.push_back(part);
  pending.insert(pending.begin(), parts.begin(), parts.end());
}

}  // namespace

// Walks the path from `/` as the kernel resolves it, so that every folder and link the loader
// would pass through is checked, including those behind a symlink.
std::optional<std::string> untrusted_plugin_location(const fs::path& library) {
  std::error_code ec;
  const fs::path absolute = fs::absolute(library, ec);
  if (ec) return "cannot check " + library.string() + ": " + ec.message();
  std::deque<fs::path> pending;
  push_front(pending, absolute);
  fs::path resolved = "/";
  struct stat st {};
  if (::lstat("/", &st) != 0) return cannot_check("/", errno);
  if (auto reason = untrusted_step("/", st, true)) return reason;
  for (int links = 0; !pending.empty();) {
    const fs::path name = pending.front();
    pending.pop_front();
    if (name == "..") {  // `resolved` holds no links, so its parent is the real one, checked already
      resolved = resolved.parent_path();
      continue;
    }
    const bool last = pending.empty();  // the library, or a link to it
    const fs::path path = resolved / name;
    // The folder holding the library (or a link to it) gets no sticky exception: others could
    // add a library there, or a link in place of one.
    if (last) {
      if (::stat(resolved.c_str(), &st) != 0) return cannot_check(resolved, errno);
      if (auto reason = untrusted_step(resolved, st, false)) return reason;
    }
    if (::lstat(path.c_str(), &st) != 0) return cannot_check(path, errno);
    if (auto reason = untrusted_step(path, st, !last)) return reason;
    if (!S_ISLNK(st.st_mode)) {
      resolved = path;
      continue;
    }
    if (++links > max_links) return cannot_check(path, ELOOP);
    const fs::path target = fs::read_symlink(path, ec);
    if (ec) return "cannot check " + path.string() + ": " + ec.message();
    if (target.is_absolute()) resolved = "/";  // checked first of all
    push_front(pending, target);
  }
  return std::nullopt;
}

}  // namespace graph_runner::engine
