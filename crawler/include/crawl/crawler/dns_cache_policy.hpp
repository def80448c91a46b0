#pragma once
// Which CURLOPT_DNS_CACHE_TIMEOUT each transfer of a loop carries.
//
// Why: libcurl 7.88 walks its whole DNS cache at the end of every transfer
// whose timeout is not -1 (multi_done -> Curl_hostcache_prune), the cache
// holds every host seen within the timeout (60 s by default), and a lookup
// walks a chain of a hash of 71 slots (23 in a share). A crawl of many
// distinct hosts was quadratic: 20,000 URLs on 20,000 hosts took 4.7 s
// against 1.2 s on 254 hosts, most of it in those two walks (perf).
//
// So most transfers carry -1 (no walk; a cached entry is not checked for
// age when looked up), and one transfer in `every`, or the first after
// `interval`, carries a real timeout and prunes: the walk is paid once per
// `every` transfers. An entry is used at most `interval` (or `every`
// transfers) past its timeout.
//
// The timeout is `timeout` (libcurl's 60 s) unless more than `max_entries`
// transfers started within it; then it is the age in whole seconds that
// keeps at most about `max_entries` of them (0 when the current second
// alone has more: everything is pruned), so the cache, and with it each
// lookup, is bounded by count as well as by time. Each transfer adds at
// most one entry per host it visits (redirects add theirs): the count of
// starts is the estimate.
//
// Pure: the time is passed in. Not thread-safe.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace crawl::crawler {

class dns_cache_policy {
 public:
  using clock = std::chrono::steady_clock;
  struct options {
    std::size_t every = 1024;
    std::chrono::seconds interval{5};
    std::chrono::seconds timeout{60};  // at most 60
    std::size_t max_entries = 2'000;
  };

  dns_cache_policy() : dns_cache_policy(options{}) {}
  explicit dns_cache_policy(options o);

  // The value for the transfer starting now: -1, or seconds (>= 0) when
  // this transfer prunes the cache.
  long timeout_for_transfer(clock::time_point now);

 private:
  static constexpr std::size_t seconds_kept = 60;
  void advance(std::int64_t second);
  long prune_timeout() const;

  options o_;
  std::array<std::size_t, seconds_kept> starts_{};  // transfers started in each of the last seconds
  std::int64_t current_second_ = -1;                // the second starts_[current % kept] counts
  std::size_t since_prune_ = 0;
  clock::time_point last_prune_{};
  bool pruned_ = false;
};

}  // namespace crawl::crawler
