#pragma once
/// @file export.hpp
/// Symbol visibility: everything is hidden by default; GRAPH_RUNNER_API marks the SDK.

#if defined(GRAPH_RUNNER_SDK_BUILDING)
#define GRAPH_RUNNER_API __attribute__((visibility("default")))
#else
#define GRAPH_RUNNER_API __attribute__((visibility("default")))
#endif
