#include "crawl/crawler/retry.hpp"

#include <algorithm>
#include <cmath>

namespace crawl::crawler {

bool is_retryable(CURLcode code, long http_status) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      break;
  }
  switch (http_status) {
    case 408: case 429: case 500: case 502: case 503: case 504:
      return true;
    default:
      return false;
  }
}

std::chrono::milliseconds retry_delay(int attempt, std::int64_t retry_after_s, const retry_policy& policy,
                                      double jitter) {
  using std::chrono::milliseconds;
  if (retry_after_s > 0) return std::chrono::duration_cast<milliseconds>(std::chrono::seconds(retry_after_s));
  double ceiling = static_cast<double>(policy.base_delay.count()) * std::pow(2.0, attempt - 1);
  ceiling = std::min(ceiling, static_cast<double>(policy.max_delay.count()));
  // Half fixed, half random: spreads retries without ever retrying at once.
  return milliseconds(static_cast<std::int64_t>(ceiling * (0.5 + 0.5 * jitter)));
}

}  // namespace crawl::crawler
