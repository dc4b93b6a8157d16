#include "run/concurrency_controller.hpp"

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
  rtt_sum_ += std::chrono::duration<double>(rtt).count();
  ++rtt_count_;
}

void RttController::finished(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const bool have_rtt = rtt_count_ > 0;
  const double current = have_rtt ? rtt_sum_ / static_cast<double>(rtt_count_) : 0;
  if (!past_mean_) {  // the first measurement is the baseline
    if (!have_rtt) {
      if (overload_) set_limit(static_cast<std::size_t>(static_cast<double>(limit()) * decrease_ratio));
      overload_ = false;
      return;
    }
    past_mean_ = current;
    next_update_ = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(current));
    rtt_sum_ = 0;
    rtt_count_ = 0;
    return;
  }
  if (now < next_update_) return;
  adjust(current, have_rtt);
  if (have_rtt) {  // the EWMA of mean and variance, updated after judging this interval by the old one
    const double difference = current - *past_mean_;
    const double increment = ewma_alpha * difference;
    *past_mean_ += increment;
    past_variance_ = (1 - ewma_alpha) * (past_variance_ + difference * increment);
  }
  next_update_ = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(*past_mean_));
  rtt_sum_ = 0;
  rtt_count_ = 0;
  overload_ = reached_limit_ = false;
}

void RttController::adjust(double current, bool have_rtt) {
  const std::size_t now = limit();
  const double threshold = std::sqrt(past_variance_) * deviation_scale;
  // Grow only on evidence: the interval used every permit, with no sign of strain.
  if (now < max() && reached_limit_ && !overload_ && have_rtt && current <= *past_mean_) {
    set_limit(now + 1);
  } else if (now > min() && (overload_ || (have_rtt && current >= *past_mean_ + threshold))) {
    // Floor rounding makes the new limit smaller; set_limit keeps it at min or above.
    const auto lowered = static_cast<std::size_t>(static_cast<double>(now) * decrease_ratio);
    set_limit(lowered < now ? lowered : now - 1);
  }
}

}  // namespace graph_runner::engine
