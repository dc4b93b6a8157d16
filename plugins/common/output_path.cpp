#include "output_path.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

namespace graph_runner::plugins {
namespace {

// O_PATH needs no read permission on a folder, only search (x), as a plain open(2) of a path.
#ifdef O_PATH
constexpr int kFolderFlags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
#else
constexpr int kFolderFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
#endif
constexpr int kMaxLinks = 40;                // the kernel's limit before ELOOP
constexpr int kMaxRetries = 100;             // a folder created and removed under us, again and again
constexpr unsigned long kProcfsMagic = 0x9fa0;  // PROC_SUPER_MAGIC

class Fd {
 public:
  explicit Fd(int fd = -1) noexcept : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    std::swap(fd_, other.fd_);  // `other` closes what we held
    return *this;
  }
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

std::string owner_text(uid_t uid) {
  std::string text = "uid " + std::to_string(uid);
  std::vector<char> buffer(16 * 1024);
  passwd pw{}, *found = nullptr;
  if (::getpwuid_r(uid, &pw, buffer.data(), buffer.size(), &found) == 0 && found)
    text += std::string(" (") + found->pw_name + ")";
  return text;
}

// Group write gives nobody else access when the group is its owner's private group (the
// owner's primary group with no other member: Debian's default with umask 002).
bool group_is_owners_own(const struct stat& st) {
  std::vector<char> users(16 * 1024), groups(48 * 1024);
  passwd pw{}, *owner = nullptr;
  group gr{}, *grp = nullptr;
  if (::getpwuid_r(st.st_uid, &pw, users.data(), users.size(), &owner) != 0 || !owner) return false;
  if (owner->pw_gid != st.st_gid) return false;
  if (::getgrgid_r(st.st_gid, &gr, groups.data(), groups.size(), &grp) != 0 || !grp) return false;
  for (char** member = grp->gr_mem; *member; ++member)
    if (owner->pw_name != std::string_view(*member)) return false;
  return true;
}

std::string mode_text(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

bool trusted_owner(uid_t uid) { return uid == 0 || uid == ::geteuid(); }

// Components of a path, in order; a trailing "/" leaves a "." (so "dir/" is not a file).
std::vector<std::string> components(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    if (end > start) out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  if (!path.empty() && path.back() == '/') out.emplace_back(".");
  return out;
}

struct Folder {
  Fd fd;
  std::string shown;    // its path as walked (links resolved), for messages
  std::string writers;  // "others", "its group", ... when it is shared but sticky
};

class PathWalk {
 public:
  PathWalk(const std::string& plugin, const std::string& path) : plugin_(plugin), path_(path) {}

  OpenedOutput open(bool append) {
    std::string absolute = path_;
    if (absolute.empty() || absolute.front() != '/') {
      std::error_code ec;
      const std::filesystem::path cwd = std::filesystem::current_path(ec);  // physical: no links
      if (ec) fail("open", path_, "the current folder is unknown: " + ec.message());
      absolute = cwd.string() + "/" + absolute;
    }
    for (std::string& c : components(absolute)) pending_.push_back(std::move(c));
    Fd root(::open("/", kFolderFlags));
    if (root.get() < 0) fail("open folder", "/", std::strerror(errno));
    enter(std::move(root), "/");
    int retries = 0;
    while (!pending_.empty()) {
      std::string name = std::move(pending_.front());
      pending_.pop_front();
      const bool final = pending_.empty();
      if (name == "." || name == "..") {
        if (final) fail("open", path_, std::strerror(EISDIR));
        if (name == ".." && folders_.size() > 1) folders_.pop_back();  // the physical parent
        continue;
      }
      struct stat st {};
      if (::fstatat(top().fd.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno != ENOENT) fail(final ? "open" : "open folder", shown(name), std::strerror(errno));
        if (final) return open_file(name, append, false);
        if (::mkdirat(top().fd.get(), name.c_str(), 0777) != 0 && errno != EEXIST)
          fail("create folder", shown(name), std::strerror(errno));
        if (++retries > kMaxRetries) fail("create folder", shown(name), "it keeps changing");
        pending_.push_front(std::move(name));  // look at what is there now, as for any folder
        continue;
      }
      check_entry(name, st, final);
      if (S_ISLNK(st.st_mode)) {
        // procfs links (/dev/stdout -> /proc/self/fd/1) name open files, not paths, and no
        // user can plant one: the kernel follows them.
        if (final && on_procfs()) return open_file(name, append, true);
        follow_link(name);
      } else if (final) {
        return open_file(name, append, false);
      } else if (S_ISDIR(st.st_mode)) {
        enter_folder(name);
      } else {
        fail("create folder", shown(name), "a file of that name exists");
      }
    }
    fail("open", path_, std::strerror(EISDIR));  // not reached: the last component returns
  }

 private:
  Folder& top() { return folders_.back(); }

  std::string shown(const std::string& name) const {
    const std::string& folder = folders_.back().shown;
    return folder == "/" ? "/" + name : folder + "/" + name;
  }

  // Every folder we pass through: owned by root or us, writable by nobody else unless sticky.
  void enter(Fd fd, std::string shown) {
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) fail("open folder", shown, std::strerror(errno));
    if (!trusted_owner(st.st_uid))
      refuse("folder '" + shown + "' belongs to " + owner_text(st.st_uid) +
             ", who could plant a link in it; write into a folder owned by you or root");
    const bool group = (st.st_mode & S_IWGRP) && !group_is_owners_own(st), others = st.st_mode & S_IWOTH;
    std::string writers = group && others ? "its group and others" : group ? "its group" : others ? "others" : "";
    if (!writers.empty() && !(st.st_mode & S_ISVTX))
      refuse("folder '" + shown + "' is writable by " + writers + " (mode " + mode_text(st.st_mode) +
             "), who could plant a link in it; make it writable by its owner only: chmod go-w '" + shown + "'");
    if (!writers.empty()) writers += " (mode " + mode_text(st.st_mode) + ")";
    folders_.push_back(Folder{std::move(fd), std::move(shown), std::move(writers)});
  }

  // In a sticky folder others can write, only entries of root or ours cannot be replaced.
  void check_entry(const std::string& name, const struct stat& st, bool final) const {
    const Folder& folder = folders_.back();
    if (folder.writers.empty()) return;
    const std::string it = final && links_ == 0 ? "it" : "'" + shown(name) + "'";
    const std::string where = "in '" + folder.shown + "', a sticky folder writable by " + folder.writers;
    if (!trusted_owner(st.st_uid) && S_ISLNK(st.st_mode))
      refuse(it + " is a symbolic link (a planted link could point anywhere), owned by " + owner_text(st.st_uid) +
             " " + where);
    if (!trusted_owner(st.st_uid))
      refuse(it + " belongs to " + owner_text(st.st_uid) + " " + where + "; remove it or write elsewhere");
    if (S_ISREG(st.st_mode) && st.st_nlink > 1)
      refuse(it + " has " + std::to_string(st.st_nlink) + " hard links " + where +
             ", so it could be any file; remove it or write elsewhere");
  }

  void enter_folder(const std::string& name) {
    Fd fd(::openat(top().fd.get(), name.c_str(), kFolderFlags));
    if (fd.get() < 0 && (errno == ELOOP || errno == ENOTDIR))
      refuse("'" + shown(name) + "' was replaced while it was checked");
    if (fd.get() < 0) fail("open folder", shown(name), std::strerror(errno));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) fail("open folder", shown(name), std::strerror(errno));
    check_entry(name, st, false);  // what we hold, not what we looked at
    enter(std::move(fd), shown(name));
  }

  void follow_link(const std::string& name) {
    if (++links_ > kMaxLinks) fail("open", path_, std::strerror(ELOOP));
    std::string target(PATH_MAX, '\0');
    const ssize_t n = ::readlinkat(top().fd.get(), name.c_str(), target.data(), target.size());
    if (n < 0) fail("read link", shown(name), std::strerror(errno));
    if (static_cast<std::size_t>(n) >= target.size()) fail("read link", shown(name), std::strerror(ENAMETOOLONG));
    target.resize(static_cast<std::size_t>(n));
    if (target.empty()) fail("open", shown(name), std::strerror(ENOENT));
    if (target.front() == '/') folders_.erase(folders_.begin() + 1, folders_.end());  // from "/" again
    const std::vector<std::string> parts = components(target);
    pending_.insert(pending_.begin(), parts.begin(), parts.end());
  }

  bool on_procfs() {
    struct statfs fs {};
    return ::fstatfs(top().fd.get(), &fs) == 0 && static_cast<unsigned long>(fs.f_type) == kProcfsMagic;
  }

  OpenedOutput open_file(const std::string& name, bool append, bool follow) {
    // No O_TRUNC: a file is truncated only after the descriptor we hold passed the checks.
    // Appending also reads: a torn last line left by a crash is found and cut (output_file.hpp).
    const int flags = (append ? O_RDWR | O_APPEND : O_WRONLY) | O_CREAT | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW);
    Fd fd(::openat(top().fd.get(), name.c_str(), flags, 0666));
    if (fd.get() < 0 && errno == ELOOP && !follow)  // replaced by a link after we looked
      refuse("it is a symbolic link (a planted link could point anywhere)");
    if (fd.get() < 0) fail("open", path_, std::strerror(errno));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) fail("open", path_, std::strerror(errno));
    if (!follow) check_entry(name, st, true);
    OpenedOutput out;
    out.regular = S_ISREG(st.st_mode);
    out.size = out.regular ? static_cast<std::uintmax_t>(st.st_size) : 0;
    if (!append && out.regular && ::ftruncate(fd.get(), 0) != 0) fail("truncate", path_, std::strerror(errno));
    out.fd = fd.release();
    return out;
  }

  [[noreturn]] void refuse(const std::string& why) const {
    throw std::runtime_error(plugin_ + ": refusing to write '" + path_ + "': " + why);
  }
  [[noreturn]] void fail(const std::string& what, const std::string& target, const std::string& reason) const {
    throw std::runtime_error(plugin_ + ": cannot " + what + " '" + target + "': " + reason);
  }

  const std::string& plugin_;
  const std::string& path_;
  std::vector<Folder> folders_;  // from "/" down to the current folder, each checked
  std::deque<std::string> pending_;
  int links_ = 0;
};

}  // namespace

OpenedOutput open_output_path(const std::string& plugin, const std::string& path, bool append) {
  return PathWalk(plugin, path).open(append);
}

}  // namespace graph_runner::plugins
