#pragma once
// Plugins are code that runs with the user's rights, so graph-runner loads a library only
// when nobody but the user or root could have put it there — the rule of sshd's StrictModes
// and sudo: the library and every folder from it up to `/`, following each symlink (the
// link's own folder chain and then its target's), must be owned by root or by the user
// running graph-runner (the effective uid) and be writable by its owner only. Group write is
// accepted when the group is the owner's private group with no other member (umask 002).
// A folder writable by others but sticky (`/tmp`) is accepted above the plugin folder, since
// others cannot rename what root or the user own there; never as the plugin folder itself,
// where others could add a library.
#include <filesystem>
#include <optional>
#include <string>

namespace graph_runner::engine {

// nullopt when `library` may be loaded; otherwise which path fails, its owner and the command
// that fixes it, e.g.
// "/opt/p, owned by root, is writable by others (mode 0777); make it writable by its owner only: chmod go-w /opt/p"
// "/opt/p is owned by bob (uid 1000), not root, so bob could swap the plugin; make it root's: chown root /opt/p".
std::optional<std::string> untrusted_plugin_location(const std::filesystem::path& library);

}  // namespace graph_runner::engine
