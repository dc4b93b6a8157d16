#pragma once
// `rate` and `burst` on a source: a token bucket of records. Tokens accrue at `rate` per
// second up to `burst` (at least the batch at hand, so a source slower than its rate never
// waits); a batch takes as many tokens as it has records and, when the bucket holds fewer,
// waits until they have accrued. With burst = 0 the first batch waits too: the pace is
// steady from the start. The bucket starts full.
#include <algorithm>
#include <chrono>
#include <cstddef>

namespace graph_runner::engine {

class SourcePacer {
 public:
  using Clock = std::chrono::steady_clock;

  SourcePacer(double rate, std::size_t burst, Clock::time_point now)
      : rate_(rate), burst_(static_cast<double>(burst)), tokens_(burst_), last_(now) {}

  // When a batch of `records` read at `now` may go; takes its tokens.
  Clock::time_point admit(std::size_t records, Clock::time_point now) {
    const double n = static_cast<double>(records);
    const double elapsed = std::max(0.0, std::chrono::duration<double>(now - last_).count());
    tokens_ = std::min(std::max(burst_, n), tokens_ + elapsed * rate_);
    last_ = now;
    if (tokens_ < n) {  // wait for the missing tokens; they accrue until the batch goes
      last_ += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>((n - tokens_) / rate_));
      tokens_ = n;
    }
    tokens_ -= n;
    return last_;
  }

 private:
  double rate_, burst_, tokens_;
  Clock::time_point last_;
};

}  // namespace graph_runner::engine
