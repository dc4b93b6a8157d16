// gzip request bodies (http_client.hpp): libcurl decompresses answers but never compresses
// what it sends, so the body is deflated here with zlib.
#include <zlib.h>

#include <stdexcept>

#include "http_client.hpp"

namespace graph_runner::plugins::http {

std::string gzip(std::string_view body, int level) {
  z_stream z{};
  // windowBits 15 + 16: a gzip header and trailer rather than zlib's.
  if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("gzip: zlib failed to initialise");
  std::string out(deflateBound(&z, static_cast<uLong>(body.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  z.avail_in = static_cast<uInt>(body.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("gzip: zlib could not compress the body");
  return out;
}

}  // namespace graph_runner::plugins::http
