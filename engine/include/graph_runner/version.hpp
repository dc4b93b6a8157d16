#pragma once
/// @file version.hpp
/// SDK version. A plugin library records the version it was built against in the
/// names of its exported symbols; the engine refuses a plugin whose major version
/// differs, or whose minor version is newer than the engine's. Minor versions only add:
/// a plugin built against 1.0 loads into a 1.1 engine, which never calls the virtual
/// functions 1.0 did not have (its vtables lack them).
///
/// - 1.1: Stage::tick_interval() and Stage::tick() (timers); Context::reject_input()
///   (a source's bad input record goes through the node's `on_error`).
/// - 1.2: Stage::flush() (the engine asks a stage for the records it holds when they keep
///   the sources waiting); Emitter::attempt() (which retry of a call this is). Also in 1.2,
///   without a new symbol: Emitter::reject() returns under every `on_error` policy (it threw
///   under `fail` and `retry`); the policy is applied once the call returns.
/// - 1.3: Context::set_gauge() (a plugin's own figures in `/metrics`, `--metrics-json` and
///   the status line).
///   Also errors.hpp: TransientError (retried under every `on_error` policy, honouring a
///   least wait such as HTTP's Retry-After) and CallError (fields for the records a failed
///   call routes). Exceptions only: a 1.2 plugin never throws them, and loads unchanged.
///   Also Context::checkpoint() and Context::batch_being_read() (a source commits the
///   position of its contiguous acknowledged prefix to the run's state_dir).
/// - 2.0 (a new major: 1.x libraries are refused): the record format. Typed columns
///   (column.hpp: int64, float64 and bool arrays, 16-byte StringViews, `mixed` only for
///   columns that mix types), absent fields told apart from nulls, nested JSON objects as
///   dotted fields and Type::json for arrays and big numbers, selection vectors (select()
///   copies no column), Stage::process(BatchPtr) by value and Emitter::take() (change a batch
///   in place when this call is its only consumer; copy on write per column otherwise),
///   recycled column buffers. See docs/plugin-sdk.md, "From 1.x".
/// - 2.1: Context::declare_fields() (field_schema.hpp): the fields a node reads and
///   produces, checked before the run (a misspelled field is an error, with "did you mean").

#define GRAPH_RUNNER_SDK_VERSION_MAJOR 2
#define GRAPH_RUNNER_SDK_VERSION_MINOR 1
#define GRAPH_RUNNER_VERSION_STRING "0.1.0"

namespace graph_runner {
inline constexpr int sdk_version_major = GRAPH_RUNNER_SDK_VERSION_MAJOR;
inline constexpr int sdk_version_minor = GRAPH_RUNNER_SDK_VERSION_MINOR;
}  // namespace graph_runner
