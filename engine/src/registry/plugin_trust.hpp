#pragma once
// Plugins are code that runs with the user's rights, so graph-runner loads a library only
// when nobody but its owner could have put it there: like ssh with a key file, it refuses a
// plugin library, or the folder holding it, that is writable by group or others. Group write
// is accepted when the group is the owner's own private group with no other member (umask 002).
#include <filesystem>
#include <optional>
#include <string>

namespace graph_runner::engine {

// nullopt when `library` (following symlinks) and the folder it was found in are writable by
// their owner only; otherwise why not, and the command that fixes it, e.g.
// "/opt/p is writable by others (mode 0777); make it writable by its owner only: chmod go-w /opt/p".
std::optional<std::string> untrusted_plugin_location(const std::filesystem::path& library);

}  // namespace graph_runner::engine
