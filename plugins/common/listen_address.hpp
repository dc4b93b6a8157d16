#pragma once
// The address a server binds (`run --metrics-listen`, the http_server source).
#include <optional>
#include <string>
#include <string_view>

namespace graph_runner::net {

struct ListenAddress {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
};

// "HOST:PORT", "[IPV6]:PORT", ":PORT" or "PORT" (the host defaults to 127.0.0.1, loopback:
// metrics are not published to the network unless asked). nullopt and `error` set when the
// text is not one of those or the port is not 0..65535.
std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string& error);

// A listening TCP socket on `address` (close-on-exec) and the port it got: the free one
// chosen for port 0. Throws std::runtime_error naming the address and the reason.
struct Listener {
  int fd = -1;
  int port = 0;
};
Listener open_listener(const ListenAddress& address);

}  // namespace graph_runner::net
