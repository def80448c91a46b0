#include "crawl/crawler/dns_cache_policy.hpp"

#include <algorithm>

namespace crawl::crawler {

dns_cache_policy::dns_cache_policy(options o) : o_(o) {
  o_.every = std::max<std::size_t>(o_.every, 1);
  o_.max_entries = std::max<std::size_t>(o_.max_entries, 1);
  o_.timeout = std::clamp(o_.timeout, std::chrono::seconds(1), std::chrono::seconds(seconds_kept));
}

void dns_cache_policy::advance(std::int64_t second) {
  if (current_second_ < 0 || second - current_second_ >= static_cast<std::int64_t>(seconds_kept)) {
    starts_.fill(0);
  } else {
    for (std::int64_t s = current_second_ + 1; s <= second; ++s) starts_[s % seconds_kept] = 0;
  }
  current_second_ = std::max(current_second_, second);
}

long dns_cache_policy::prune_timeout() const {
  std::size_t newer = 0;
  auto limit = static_cast<std::int64_t>(o_.timeout.count());
  for (std::int64_t age = 0; age < limit; ++age) {
    std::int64_t second = current_second_ - age;
    if (second < 0) break;
    newer += starts_[second % seconds_kept];
    if (newer > o_.max_entries) return static_cast<long>(age);
  }
  return static_cast<long>(limit);
}

long dns_cache_policy::timeout_for_transfer(clock::time_point now) {
  advance(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  ++starts_[current_second_ % seconds_kept];
  ++since_prune_;
  bool due = since_prune_ >= o_.every || !pruned_ || now - last_prune_ >= o_.interval;
  if (!due) return -1;
  since_prune_ = 0;
  last_prune_ = now;
  pruned_ = true;
  return prune_timeout();
}

}  // namespace crawl::crawler
