#include "live_server.hpp"

#include <httplib.h>

#include "dot_text.hpp"
#include "graphviz.hpp"
#include "live_page/live_page.hpp"

namespace graph_runner::cli {
namespace {

// Inline script and style only, data from this server only: the page loads nothing else.
constexpr const char* content_policy =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self'";

void no_store(httplib::Response& res) {
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Content-Type-Options", "nosniff");
}

// A loopback server answers only requests that name it by a loopback address: a web page
// elsewhere that points its own name at 127.0.0.1 (DNS rebinding) cannot read the figures.
bool host_allowed(const httplib::Request& req, bool loopback) {
  if (!loopback) return true;
  std::string host = req.get_header_value("Host");
  if (host.empty()) return true;  // HTTP/1.0 clients
  if (host.front() == '[') host = host.substr(1, host.find(']') - 1);
  else host = host.substr(0, host.rfind(':'));
  return is_loopback_host(host);
}

}  // namespace

LiveServer::LiveServer(const ListenAddress& address, const engine::CheckedGraph& graph, std::string graph_file,
                       ConnectionLimits limits)
    : state_(graph, std::move(graph_file)) {
  GraphvizOutcome drawn;
  if (auto svg = render_to_text(graph_to_dot(graph), "svg", drawn)) svg_ = std::move(*svg);
  else drawing_error_ = drawn.not_installed ? "Graphviz's `dot` program is not on PATH (install graphviz)" : drawn.error;
  state_.set_drawing_error(drawing_error_);

  const bool loopback = is_loopback_host(address.host);
  http_ = std::make_unique<HttpServer>(
      address,
      [this, loopback](httplib::Server& routes) {
        routes.set_pre_routing_handler([loopback](const httplib::Request& req, httplib::Response& res) {
          if (host_allowed(req, loopback)) return httplib::Server::HandlerResponse::Unhandled;
          res.status = 403;
          res.set_content("graph-runner: the live page answers only to a loopback address in Host\n",
                          "text/plain; charset=utf-8");
          return httplib::Server::HandlerResponse::Handled;
        });
        routes.Get("/", [](const httplib::Request&, httplib::Response& res) {
          no_store(res);
          res.set_header("Content-Security-Policy", content_policy);
          res.set_content(std::string(live_page_html()), "text/html; charset=utf-8");
        });
        routes.Get("/state.json", [this](const httplib::Request&, httplib::Response& res) {
          no_store(res);
          res.set_content(state_.json(), "application/json");
        });
        routes.Get("/graph.svg", [this](const httplib::Request&, httplib::Response& res) {
          no_store(res);
          if (svg_.empty()) {
            res.status = 404;
            res.set_content("graph-runner: no picture: " + drawing_error_ + "\n", "text/plain; charset=utf-8");
            return;
          }
          res.set_content(svg_, "image/svg+xml");
        });
      },
      limits);
}

}  // namespace graph_runner::cli
