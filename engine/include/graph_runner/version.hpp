#pragma once
/// @file version.hpp
/// SDK version. A plugin library records the version it was built against in the
/// names of its exported symbols; the engine refuses a plugin whose major version
/// differs, or whose minor version is newer than the engine's.

#define GRAPH_RUNNER_SDK_VERSION_MAJOR 1
#define GRAPH_RUNNER_SDK_VERSION_MINOR 0
#define GRAPH_RUNNER_VERSION_STRING "0.1.0"

namespace graph_runner {
inline constexpr int sdk_version_major = GRAPH_RUNNER_SDK_VERSION_MAJOR;
inline constexpr int sdk_version_minor = GRAPH_RUNNER_SDK_VERSION_MINOR;
}  // namespace graph_runner
