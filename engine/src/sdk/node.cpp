// Out-of-line anchors for the SDK's polymorphic classes (one vtable, in the SDK library).
#include "graph_runner/context.hpp"
#include "graph_runner/errors.hpp"
#include "graph_runner/node.hpp"
#include "graph_runner/plugin.hpp"
#include "recycled.hpp"

#include <stdexcept>
#include <string>

namespace graph_runner {

Context::~Context() = default;
Source::~Source() = default;
Emitter::~Emitter() = default;
std::shared_ptr<Batch> Emitter::take(BatchPtr in) { return detail::make_recycled<Batch>(*in); }
Stage::~Stage() = default;
Sink::~Sink() = default;
CallError::~CallError() = default;
TransientError::~TransientError() = default;

void Context::param_error(std::string_view param, const std::string& message) const {
  throw ParamError(std::string(param), message);
}

// The engine overrides it; a Context that does not (a custom test double) fails the call.
void Context::reject_input(std::string_view input, std::string_view error) {
  (void)input;
  throw std::runtime_error(std::string(error));
}

// The engine overrides it; elsewhere (a custom test double) a gauge goes nowhere.
void Context::set_gauge(std::string_view name, double value) { (void)name, (void)value; }

// A Context that does not override them (a test double) gives a source no state to keep.
CheckpointSettings Context::checkpoint() const { return {}; }
std::uint64_t Context::batch_being_read() const noexcept { return 0; }
void Context::declare_fields(FieldSchema schema) { (void)schema; }

std::string_view node_kind_name(NodeKind k) noexcept {
  switch (k) {
    case NodeKind::source: return "source";
    case NodeKind::stage: return "stage";
    case NodeKind::sink: return "sink";
  }
  return "?";
}

}  // namespace graph_runner
