#include "run/concurrency_controller.hpp"

#include <algorithm>
#include <cmath>

namespace graph_runner::engine {

void BacklogController::sample(std::size_t waiting, std::size_t running) {
  const std::size_t now = limit();
  if (waiting > 0 && running >= now) {
    idle_ = 0;
    if (++busy_ >= grow_after) {
      busy_ = 0;
      set_limit(now + 1);
    }
  } else if (waiting == 0 && running < now) {
    busy_ = 0;
    if (++idle_ >= shrink_after) {
      idle_ = 0;
      set_limit(now - 1);
    }
  } else {
    busy_ = idle_ = 0;
  }
}

void RttController::started(std::size_t in_flight) {
  std::lock_guard lock(mutex_);
  if (in_flight >= limit()) reached_limit_ = true;
}

void RttController::attempt(Clock::duration rtt, bool ok, bool overload) {
  std::lock_guard lock(mutex_);
  if (overload) overload_ = true;
  if (!ok) return;  // only an answered request measures the service
  const double seconds = std::chrono::duration<double>(rtt).count();
  rtt_sum_ += seconds;
  rtt_squares_ += seconds * seconds;
  ++rtt_count_;
}

void RttController::finished(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (baseline_ && now < next_update_) return;
  const bool have_rtt = rtt_count_ > 0;
  const double n = static_cast<double>(rtt_count_);
  const double current = have_rtt ? rtt_sum_ / n : 0;
  if (!baseline_) {  // the first measurement is the baseline
    if (!have_rtt) {
      if (overload_) set_limit(static_cast<std::size_t>(static_cast<double>(limit()) * decrease_ratio));
      overload_ = false;
      return;
    }
    baseline_ = current;
  } else {
    adjust(current, have_rtt);
    if (have_rtt) {
      *baseline_ = current < *baseline_ ? current : *baseline_ + baseline_drift * (current - *baseline_);
      if (rtt_count_ > 1) {  // the standard error of the interval's mean: it is a mean we compare
        const double spread = std::sqrt(std::max(0.0, rtt_squares_ / n - current * current) / n);
        deviation_ += ewma_alpha * (spread - deviation_);
      }
    }
  }
  // An interval lasts about one round of calls: the slower of baseline and this interval's
  // RTT (with the baseline alone a loaded service would end an interval at every answer,
  // and the baseline drift, per interval, would follow the RTT up).
  next_update_ = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(std::max(*baseline_, current)));
  rtt_sum_ = rtt_squares_ = 0;
  rtt_count_ = 0;
  overload_ = reached_limit_ = false;
}

void RttController::adjust(double current, bool have_rtt) {
  const std::size_t now = limit();
  // Rising: the requests queued at the service, estimated as TCP Vegas does (limit x (RTT -
  // baseline) / RTT), pass `queue_tolerance`, and the rise is more than noise (2.5 standard
  // errors of the interval's mean). A service a little slower under load, as most are, still
  // gets more requests while that buys throughput.
  const double queued = have_rtt && current > 0 ? static_cast<double>(now) * (current - *baseline_) / current : 0;
  const bool rising = have_rtt && queued > queue_tolerance && current > *baseline_ + deviation_ * deviation_scale;
  // Grow only on evidence: the interval used every permit, with no sign of strain.
  if (now < max() && reached_limit_ && !overload_ && have_rtt && !rising) {
    set_limit(now + 1);
  } else if (now > min() && (overload_ || rising)) {
    // Floor rounding makes the new limit smaller; set_limit keeps it at min or above.
    const auto lowered = static_cast<std::size_t>(static_cast<double>(now) * decrease_ratio);
    set_limit(lowered < now ? lowered : now - 1);
  }
}

}  // namespace graph_runner::engine
