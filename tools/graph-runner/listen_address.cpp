#include "listen_address.hpp"

#include <charconv>

namespace graph_runner::cli {

std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string& error) {
  ListenAddress address;
  std::string_view port = text;
  if (!text.empty() && text.front() == '[') {  // [::1]:9100
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      error = "expected [IPV6]:PORT, got '" + std::string(text) + "'";
      return std::nullopt;
    }
    address.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
    if (colon > 0) address.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  int value = -1;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value < 0 || value > 65535) {
    error = "expected HOST:PORT, :PORT or PORT with a port from 0 to 65535, got '" + std::string(text) + "'";
    return std::nullopt;
  }
  if (address.host.empty()) {
    error = "no host in '" + std::string(text) + "'";
    return std::nullopt;
  }
  address.port = value;
  return address;
}

}  // namespace graph_runner::cli
