// every_nth: keeps the records whose integer field (`id` by default) is a multiple of `n`.
// A stage built out of tree against the installed SDK.
#include <cstdint>

#include <graph_runner/sdk.hpp>

namespace every_nth {

using namespace graph_runner;

class EveryNth : public RecordFilter<EveryNth> {
 public:
  explicit EveryNth(Context& c) : field_(field(c.params().get_string("field"))), n_(c.params().get_int("n")) {}

  bool keep(const Batch& batch, std::size_t row) const {
    const Value v = batch.get(row, field_);
    return v.type() == Type::int64 && v.as_int() % n_ == 0;
  }

 private:
  const Field field_;
  const std::int64_t n_;
};

}  // namespace every_nth

graph_runner::PluginDescriptor describe_every_nth() {
  using graph_runner::ParamSpec;
  return graph_runner::PluginDescriptor::stage<every_nth::EveryNth>(
             "every_nth", "keeps records whose integer field is a multiple of n")
      .with_params({
          ParamSpec::integer("n", "keep every n-th value").with_default(std::int64_t{2}).at_least(1),
          ParamSpec::string("field", "the integer field to test").with_default(std::string("id")),
      })
      .thread_safe();
}

GRAPH_RUNNER_STAGE_PLUGIN(every_nth, describe_every_nth)
