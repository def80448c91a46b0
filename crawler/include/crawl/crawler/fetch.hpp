#pragma once
// One URL: an easy handle configured from request_options, its body handed to
// a body_sink as it arrives, retried with backoff when that may help.
#include "crawl/crawler/multi_loop.hpp"
#include "crawl/crawler/retry.hpp"
#include "crawl/crawler/url.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace crawl::crawler {

struct request_options {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds timeout{30'000};  // whole transfer
  long low_speed_limit = 1024;                // bytes/s ...
  std::chrono::seconds low_speed_time{15};    // ... for this long aborts
  long max_redirects = 10;
  std::uint64_t max_size = 10 << 20;          // decoded body bytes
  std::string user_agent;
  std::vector<std::string> headers;           // "Name: value"
  bool insecure = false;
  std::string cacert;
  std::optional<std::string> proxy;           // nullopt: the usual environment variables
  bool verbose = false;
  // Keep the final request and response exactly as sent and received (before
  // any decoding), for archiving. Bounded by max_size plus 1 MiB of headers
  // and framing.
  bool capture_raw = false;
  // libcurl's receive buffer per transfer (CURLOPT_BUFFERSIZE).
  long receive_buffer = 64 * 1024;
  // --deny-private: no request over a connection to a loopback, private,
  // link-local or unique-local address, checked on the address actually
  // connected (after DNS and after every redirect).
  bool deny_private = false;
  // --cookies: the cookie engine on (the jar itself is the loops' share:
  // cookie_store, multi_loop_pool::use_share).
  bool cookies = false;
  // --resolve: "HOST:PORT:ADDRESS" entries, as curl's --resolve takes them.
  std::vector<std::string> resolve;
};

// A receive buffer for `concurrency` transfers in flight: 64 KiB, smaller
// when many transfers run at once so that all buffers together stay near
// 8 MiB, down to libcurl's least, 1 KiB (from 8,192 transfers on). Each
// transfer in flight holds one: at 10,000 transfers libcurl's default of
// 16 KiB was 160 of the run's 210 MB (heaptrack), where pages that arrive
// slowly need no more than a few KiB at a time. The buffers are reused as
// transfers come and go, and over a long list every page of every buffer
// ends up touched: 512 transfers of 64 KiB made peak memory grow with the
// list's length (27 MB for 20,000 URLs, 37 MB for 200,000). The least costs
// large pages more reads: 20,000 pages of 28 KB from one host with
// -c 10000 took 2.10 s against 1.96 s with 2 KiB (median of 5), for 1 KB
// less per transfer in flight (10 MB at 10,000).
long receive_buffer_for(std::size_t concurrency);

struct response_head {
  long status;
  std::string_view content_type;
  // The Content-Length the server announced, -1 when none: a hint for
  // sizing buffers only (it counts encoded bytes, and a server may lie).
  std::int64_t content_length = -1;
};

// The consumer of response bodies. Called on the loop's thread.
class body_sink {
 public:
  virtual ~body_sink() = default;
  // Once per attempt, before any body byte of a 2xx response. false skips
  // the body: the transfer ends and counts as skipped. `resume` restarts the
  // transfer after on_body() paused it; it is safe to call late.
  virtual bool on_head(const response_head& head, std::function<void()> resume) = 0;
  // false: the bytes cannot be taken now; the transfer pauses until
  // multi_loop::resume() and the same bytes come again.
  virtual bool on_body(std::string_view bytes) = 0;
  // What the attempt delivered must not count: a retry follows.
  virtual void on_discard() = 0;
};

// not_modified: a conditional request answered 304.
enum class fetch_status { ok, not_modified, skipped, failed, interrupted };

struct fetch_result {
  fetch_status status = fetch_status::failed;
  long http_status = 0;
  std::string final_url;
  std::string content_type;
  std::uint64_t bytes = 0;   // decoded body bytes received: taken by the sink, or of an error page (64 KiB at most)
  int attempts = 0;
  std::string error;         // empty when ok
  std::string reason;        // short class for counters: "http 404", "timeout", "content-type", ...
  std::string etag;          // validators of the final response, for the next run
  std::string last_modified;
  std::string raw_request;   // with capture_raw: the final request's head
  std::string raw_response;  // with capture_raw: the final response as received
};

// Validators from an earlier fetch: the request asks "only if changed".
struct validators {
  std::string etag;
  std::string last_modified;
};

// What each attempt said about its host, for politeness: first that its
// request is going out now (`sent`, on a connection made or reused: the
// moment the host sees it), then its answer: overloaded (429, 503 or a
// timeout), with the Retry-After it gave (seconds, 0: none), or not.
struct attempt_signal {
  bool overloaded = false;
  std::int64_t retry_after = 0;
  bool sent = false;
};
using attempt_observer = std::function<void(const attempt_signal&)>;

// Fetches one URL to the end, retrying per `policy`. `shutdown` is a timer
// whose expiry is the end of time until shutdown sets it to the past: waits
// between attempts then end at once, no retry starts, and a URL whose retry
// was due ends as interrupted (not failed), for a resumed run to try again.
boost::asio::awaitable<fetch_result> fetch(multi_loop& loop, const normalized_url& url,
                                           const request_options& options, const retry_policy& policy,
                                           body_sink& sink, boost::asio::steady_timer& shutdown,
                                           const validators* known = nullptr, const attempt_observer& observe = {});

}  // namespace crawl::crawler
