// The SDK's builder methods (ParamSpec::with_default, PluginDescriptor::with_params, ...)
// return by value (issue 14): a result bound to a reference is a temporary whose life is
// extended, not a reference into a temporary that is gone at the end of the statement (what
// `T&& f() &&` returned). ASan (make test-asan) would report the old form here as a
// stack-use-after-scope.
#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>

#include "graph_runner/sdk.hpp"

namespace sdk_builder_test {
namespace {

using namespace graph_runner;

struct Passthrough : Stage {
  explicit Passthrough(Context&) {}
  void process(BatchPtr in, Emitter& out) override { out.emit(in); }
};

static_assert(std::is_same_v<decltype(ParamSpec::integer("n", "").with_default(std::int64_t{1})), ParamSpec>);
static_assert(std::is_same_v<decltype(ParamSpec::integer("n", "").mandatory()), ParamSpec>);
static_assert(std::is_same_v<decltype(ParamSpec::integer("n", "").at_least(0)), ParamSpec>);
static_assert(std::is_same_v<decltype(ParamSpec::integer("n", "").at_most(1)), ParamSpec>);
static_assert(std::is_same_v<decltype(ParamSpec::string("s", "").one_of({"a"})), ParamSpec>);
static_assert(std::is_same_v<decltype(PluginDescriptor::stage<Passthrough>("p", "").with_params({})), PluginDescriptor>);
static_assert(std::is_same_v<decltype(PluginDescriptor::stage<Passthrough>("p", "").with_ports({})), PluginDescriptor>);
static_assert(std::is_same_v<decltype(PluginDescriptor::stage<Passthrough>("p", "").with_ports_from("r")), PluginDescriptor>);
static_assert(std::is_same_v<decltype(PluginDescriptor::stage<Passthrough>("p", "").thread_safe()), PluginDescriptor>);

TEST_CASE("builder results bound to references outlive the statement", "[sdk][builder]") {
  const ParamSpec& spec = ParamSpec::integer("count", "records").with_default(std::int64_t{1000}).at_least(0);
  auto&& descriptor = PluginDescriptor::stage<Passthrough>("passthrough", "passes batches on")
                          .with_params({ParamSpec::string("mode", "how").one_of({"fast", "exact"})})
                          .with_ports({"high"})
                          .thread_safe();
  CHECK(spec.name == "count");
  REQUIRE(spec.default_value);
  CHECK(std::get<std::int64_t>(*spec.default_value) == 1000);
  CHECK(spec.min == 0.0);
  CHECK(descriptor.name == "passthrough");
  CHECK(descriptor.is_thread_safe);
  REQUIRE(descriptor.params.size() == 1);
  CHECK(descriptor.params[0].choices == std::vector<std::string>{"fast", "exact"});
  CHECK(descriptor.ports == std::vector<std::string>{"high"});
  CHECK(descriptor.create_stage);
}

}  // namespace
}  // namespace sdk_builder_test
