#include "crawl/crawler/retry.hpp"

#include <catch2/catch.hpp>

using namespace crawl::crawler;
using std::chrono::milliseconds;

TEST_CASE("connection errors, timeouts and gateway statuses are retried", "[retry]") {
  CHECK(is_retryable(CURLE_COULDNT_CONNECT, 0));
  CHECK(is_retryable(CURLE_OPERATION_TIMEDOUT, 0));
  CHECK(is_retryable(CURLE_RECV_ERROR, 0));
  for (long status : {408L, 429L, 500L, 502L, 503L, 504L}) CHECK(is_retryable(CURLE_OK, status));
  CHECK_FALSE(is_retryable(CURLE_OK, 404));
  CHECK_FALSE(is_retryable(CURLE_OK, 501));
  CHECK_FALSE(is_retryable(CURLE_COULDNT_RESOLVE_HOST, 0));
  CHECK_FALSE(is_retryable(CURLE_TOO_MANY_REDIRECTS, 0));
}

TEST_CASE("backoff doubles, is jittered within half, and is capped", "[retry]") {
  retry_policy p;
  p.base_delay = milliseconds(100);
  p.max_delay = milliseconds(1000);
  CHECK(retry_delay(1, 0, p, 0.0) == milliseconds(50));
  CHECK(retry_delay(1, 0, p, 0.999) <= milliseconds(100));
  CHECK(retry_delay(2, 0, p, 0.0) == milliseconds(100));
  CHECK(retry_delay(3, 0, p, 0.0) == milliseconds(200));
  CHECK(retry_delay(10, 0, p, 0.999) <= milliseconds(1000));
}

TEST_CASE("Retry-After replaces the backoff", "[retry]") {
  retry_policy p;
  CHECK(retry_delay(1, 7, p, 0.5) == milliseconds(7000));
}
