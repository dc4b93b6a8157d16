#pragma once
// `run --ui HOST:PORT`: the live page of a running graph. GET / is the page (embedded, no
// external assets), /graph.svg the picture `graph-runner dot` draws (Graphviz, laid out
// once at the start), /state.json the figures the page polls (LiveState). Served by
// HttpServer: its deadlines and connection cap hold for the page too, which is why the page
// polls rather than holding a stream open.
#include <memory>
#include <string>

#include "http_server.hpp"
#include "live_state.hpp"

namespace graph_runner::cli {

class LiveServer {
 public:
  // Lays the graph out with Graphviz and binds (throws std::runtime_error naming the address
  // when it cannot). Without Graphviz the page shows the figures and says why it has no
  // picture: drawing_error() tells the caller too.
  LiveServer(const ListenAddress& address, const engine::CheckedGraph& graph, std::string graph_file,
             ConnectionLimits limits = {});

  std::string url() const { return http_->url("/"); }
  const std::string& drawing_error() const noexcept { return drawing_error_; }

  void update(const engine::RunResult& snapshot) { state_.update(snapshot); }
  void finish(const engine::RunResult& result) { state_.finish(result); }

 private:
  LiveState state_;
  std::string svg_, drawing_error_;
  std::string allowed_host_;           // the bound address as a Host header may name it
  std::unique_ptr<HttpServer> http_;  // last: stopped first, before what its routes use
};

}  // namespace graph_runner::cli
