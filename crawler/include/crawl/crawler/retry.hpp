#pragma once
// When a failed attempt is tried again, and after how long. Pure.
#include <curl/curl.h>

#include <chrono>
#include <cstdint>

namespace crawl::crawler {

struct retry_policy {
  int retries = 3;
  std::chrono::milliseconds base_delay{250};
  std::chrono::milliseconds max_delay{30'000};
  std::chrono::seconds max_retry_after{120};  // longer Retry-After values are not waited for
};

// Why an attempt may be retried: connection errors, timeouts, 408, 429, 5xx
// gateway errors.
bool is_retryable(CURLcode code, long http_status);
// Exponential backoff with full jitter (`jitter` in [0,1)), or Retry-After
// when the server sent one.
std::chrono::milliseconds retry_delay(int attempt, std::int64_t retry_after_s, const retry_policy& policy,
                                      double jitter);

}  // namespace crawl::crawler
