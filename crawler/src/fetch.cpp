#include "crawl/crawler/fetch.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <random>

namespace crawl::crawler {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

// Body bytes of a non-2xx response read (and dropped) before giving up the
// connection: small error pages keep their connection for reuse.
constexpr std::uint64_t error_body_allowance = 64 * 1024;

// One attempt: an easy handle and what its callbacks saw.
class attempt {
 public:
  attempt(multi_loop& loop, const std::string& url, const request_options& options, body_sink& sink,
          const validators* known, const attempt_observer& observe)
      : loop_(loop), easy_(loop.take_easy()), sink_(sink), max_size_(options.max_size),
        deny_private_(options.deny_private), conditional_(known != nullptr), observe_(observe) {
    errbuf_[0] = '\0';
    configure(url, options, known);
  }
  ~attempt() {
    loop_.give_back(easy_);
    curl_slist_free_all(headers_);
    curl_slist_free_all(resolve_);
  }
  attempt(const attempt&) = delete;
  attempt& operator=(const attempt&) = delete;

  CURL* handle() { return easy_; }
  std::int64_t retry_after() const {
    curl_off_t seconds = 0;
    curl_easy_getinfo(easy_, CURLINFO_RETRY_AFTER, &seconds);
    return seconds;
  }
  // Moves the captured raw exchange out: call once.
  fetch_result result(CURLcode code);

 private:
  void configure(const std::string& url, const request_options& o, const validators* known);
  static int on_debug(CURL*, curl_infotype type, char* data, std::size_t size, void* self);
  static int on_resolver_start(void*, void*, void* self);
  static int on_connected(void* self, char* primary_ip, char* local_ip, int primary_port, int local_port);
  void capture(curl_infotype type, std::string_view data);
  std::string header(const char* name) const;
  static std::size_t on_write(char* data, std::size_t, std::size_t n, void* self);
  std::size_t write(std::string_view data);

  multi_loop& loop_;
  CURL* easy_;
  curl_slist* headers_ = nullptr;
  curl_slist* resolve_ = nullptr;
  body_sink& sink_;
  std::uint64_t max_size_;
  std::uint64_t bytes_ = 0;
  bool head_seen_ = false, error_status_ = false, skipped_ = false, too_large_ = false;
  std::string denied_address_;  // --deny-private refused this connection
  bool deny_private_;
  bool conditional_;  // the request carried validators: only then is a 304 an answer
  const attempt_observer& observe_;
  char errbuf_[CURL_ERROR_SIZE];
  std::string refused_host_;  // a reserved .invalid name met on a redirect
  std::string raw_request_, raw_response_;
  std::size_t raw_limit_ = 0;
};

void attempt::configure(const std::string& url, const request_options& o, const validators* known) {
  curl_easy_setopt(easy_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy_, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(easy_, CURLOPT_MAXREDIRS, o.max_redirects);
  curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connect_timeout.count()));
  curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, static_cast<long>(o.timeout.count()));
  curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_LIMIT, o.low_speed_limit);
  curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_TIME, static_cast<long>(o.low_speed_time.count()));
  curl_easy_setopt(easy_, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl decodes: gzip, br, zstd
  curl_easy_setopt(easy_, CURLOPT_BUFFERSIZE, o.receive_buffer);
  curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  // Wait for a connection being set up to the same host to say whether it
  // multiplexes (HTTP/2) rather than open one more: on an HTTP/2 host the
  // transfers become streams of one connection. Over TLS the answer comes
  // with the handshake (ALPN), and an HTTP/1.1 host's transfers then get a
  // connection each as before. Plain http is never multiplexed here, and
  // libcurl 7.88 would only learn that from the first response's headers:
  // its other transfers would wait that long (a second in the latency
  // benchmark), so they do not wait.
  if (url.rfind("https://", 0) == 0) curl_easy_setopt(easy_, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, errbuf_);
  curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &attempt::on_write);
  curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(easy_, CURLOPT_RESOLVER_START_FUNCTION, &attempt::on_resolver_start);
  curl_easy_setopt(easy_, CURLOPT_RESOLVER_START_DATA, this);
  if (o.deny_private || observe_) {
    curl_easy_setopt(easy_, CURLOPT_PREREQFUNCTION, &attempt::on_connected);
    curl_easy_setopt(easy_, CURLOPT_PREREQDATA, this);
  }
  if (!o.user_agent.empty()) curl_easy_setopt(easy_, CURLOPT_USERAGENT, o.user_agent.c_str());
  for (const auto& h : o.headers) headers_ = curl_slist_append(headers_, h.c_str());
  if (known && !known->etag.empty())
    headers_ = curl_slist_append(headers_, ("If-None-Match: " + known->etag).c_str());
  if (known && !known->last_modified.empty())
    headers_ = curl_slist_append(headers_, ("If-Modified-Since: " + known->last_modified).c_str());
  if (headers_) curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
  if (o.cookies) curl_easy_setopt(easy_, CURLOPT_COOKIEFILE, "");  // the engine on, reading no file
  for (const auto& entry : o.resolve) resolve_ = curl_slist_append(resolve_, entry.c_str());
  if (resolve_) curl_easy_setopt(easy_, CURLOPT_RESOLVE, resolve_);
  if (o.insecure) {
    curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!o.cacert.empty()) curl_easy_setopt(easy_, CURLOPT_CAINFO, o.cacert.c_str());
  if (o.proxy) curl_easy_setopt(easy_, CURLOPT_PROXY, o.proxy->c_str());
  if (o.capture_raw) {
    // The debug callback sees bytes as they cross the wire (after TLS,
    // before chunked and content decoding); libcurl calls it only in
    // verbose mode.
    raw_limit_ = static_cast<std::size_t>(o.max_size) + (1u << 20);
    curl_easy_setopt(easy_, CURLOPT_DEBUGFUNCTION, &attempt::on_debug);
    curl_easy_setopt(easy_, CURLOPT_DEBUGDATA, this);
    curl_easy_setopt(easy_, CURLOPT_VERBOSE, 1L);
  } else if (o.verbose) {
    curl_easy_setopt(easy_, CURLOPT_VERBOSE, 1L);
  }
}

int attempt::on_debug(CURL*, curl_infotype type, char* data, std::size_t size, void* self) {
  static_cast<attempt*>(self)->capture(type, std::string_view(data, size));
  return 0;
}

// Called once a connection is made, before a request is sent on it: the
// address is the one actually connected, whatever DNS or a redirect said.
// The request goes out next: the observer hears it (it touches no libcurl
// handle, so it may run inside this callback).
int attempt::on_connected(void* self, char* primary_ip, char*, int, int) {
  auto* a = static_cast<attempt*>(self);
  if (a->deny_private_ && is_private_address(primary_ip ? primary_ip : "")) {
    a->denied_address_ = primary_ip ? primary_ip : "?";
    return CURL_PREREQFUNC_ABORT;
  }
  if (a->observe_) a->observe_(attempt_signal{false, 0, true});
  return CURL_PREREQFUNC_OK;
}

// Called before libcurl asks a resolver for a name (not for names in its
// cache). A URL's own .invalid host never gets here (fetch() refuses it);
// a redirect's does: refuse it the same way, without asking anyone.
int attempt::on_resolver_start(void*, void*, void* self) {
  auto* a = static_cast<attempt*>(self);
  char* url = nullptr;
  curl_easy_getinfo(a->easy_, CURLINFO_EFFECTIVE_URL, &url);
  auto target = url ? normalize_url(url).url : std::nullopt;
  if (!target || !is_reserved_invalid_host(target->host)) return 0;
  a->refused_host_ = target->host;
  return 1;  // the transfer ends with CURLE_COULDNT_RESOLVE_HOST
}

// Keeps only the last request and the last response: a redirect's are
// replaced by the next ones.
void attempt::capture(curl_infotype type, std::string_view data) {
  switch (type) {
    case CURLINFO_HEADER_OUT:
      raw_request_.assign(data);
      break;
    case CURLINFO_HEADER_IN:
      if (data.rfind("HTTP/", 0) == 0) {
        raw_response_.clear();
      }
      raw_response_.append(data);
      break;
    case CURLINFO_DATA_IN:
      if (raw_response_.size() + data.size() <= raw_limit_) raw_response_.append(data);
      break;
    default:
      break;
  }
}

std::string attempt::header(const char* name) const {
  curl_header* h = nullptr;
  if (curl_easy_header(easy_, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK || !h) return {};
  return h->value;
}

std::size_t attempt::on_write(char* data, std::size_t, std::size_t n, void* self) {
  return static_cast<attempt*>(self)->write(std::string_view(data, n));
}

// Returning less than data.size() ends the transfer with CURLE_WRITE_ERROR;
// the flags set here say why.
std::size_t attempt::write(std::string_view data) {
  if (!head_seen_) {
    head_seen_ = true;
    long status = 0;
    char* type = nullptr;
    curl_off_t length = -1;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(easy_, CURLINFO_CONTENT_TYPE, &type);
    curl_easy_getinfo(easy_, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    if (status < 200 || status > 299) {
      error_status_ = true;
    } else if (!sink_.on_head(response_head{status, type ? type : "", length},
                              [loop = &loop_, easy = easy_] { loop->resume(easy); })) {
      skipped_ = true;
      return 0;
    }
  }
  if (error_status_) {  // an error page is read (not counted) up to the allowance, so the connection can be reused
    if (bytes_ + data.size() > error_body_allowance) return 0;
    bytes_ += data.size();
    return data.size();
  }
  if (bytes_ + data.size() > max_size_) {
    too_large_ = true;
    return 0;
  }
  if (!sink_.on_body(data)) return CURL_WRITEFUNC_PAUSE;
  bytes_ += data.size();
  return data.size();
}

std::string reason_for(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST: return "dns";
    case CURLE_COULDNT_CONNECT: return "connect";
    case CURLE_OPERATION_TIMEDOUT: return "timeout";
    case CURLE_TOO_MANY_REDIRECTS: return "redirects";
    case CURLE_UNSUPPORTED_PROTOCOL: return "scheme";
    case CURLE_BAD_CONTENT_ENCODING: return "encoding";
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE: return "tls";
    case CURLE_ABORTED_BY_CALLBACK: return "interrupted";
    default: return "connection";
  }
}

fetch_result attempt::result(CURLcode code) {
  fetch_result r;
  char* final_url = nullptr;
  char* type = nullptr;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &r.http_status);
  curl_easy_getinfo(easy_, CURLINFO_EFFECTIVE_URL, &final_url);
  curl_easy_getinfo(easy_, CURLINFO_CONTENT_TYPE, &type);
  r.final_url = final_url ? final_url : "";
  r.content_type = type ? type : "";
  r.bytes = bytes_;
  r.etag = header("ETag");
  r.last_modified = header("Last-Modified");
  r.raw_request = std::move(raw_request_);
  r.raw_response = std::move(raw_response_);
  // An answer only to a conditional request. (write() takes a 304 as an
  // error status: it is never skipped nor too large.)
  if (code == CURLE_OK && r.http_status == 304) {
    if (conditional_) {
      r.status = fetch_status::not_modified;
    } else {
      r.reason = "http 304";
      r.error = "HTTP status 304 (not modified) to a request that was not conditional";
    }
  } else if (skipped_) {
    r.status = fetch_status::skipped;
    r.reason = "content-type";
    r.error = "skipped: content type '" + r.content_type + "' is not text";
  } else if (too_large_) {
    r.reason = "too-large";
    r.error = "body larger than --max-size (" + std::to_string(max_size_) + " bytes decoded)";
  } else if (error_status_ || (code == CURLE_OK && (r.http_status < 200 || r.http_status > 299))) {
    r.reason = "http " + std::to_string(r.http_status);
    r.error = "HTTP status " + std::to_string(r.http_status);
  } else if (code == CURLE_OK) {
    r.status = fetch_status::ok;
  } else if (!denied_address_.empty()) {
    r.reason = "private-address";
    r.error = "refused to connect to " + denied_address_ + ", a private address (--deny-private)";
  } else {
    r.status = code == CURLE_ABORTED_BY_CALLBACK ? fetch_status::interrupted : fetch_status::failed;
    r.reason = reason_for(code);
    r.error = errbuf_[0] ? errbuf_ : curl_easy_strerror(code);
    if (!refused_host_.empty())
      r.error = "could not resolve host '" + refused_host_ + "' (.invalid names never resolve, RFC 6761)";
    if (code == CURLE_UNSUPPORTED_PROTOCOL) r.error += " (only http and https are followed)";
  }
  return r;
}

double next_jitter() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

bool shutdown_requested(const asio::steady_timer& shutdown) {
  return shutdown.expiry() <= std::chrono::steady_clock::now();
}

// A retry was due when the run stopped: the URL is not done, so a resumed
// run tries it again instead of taking the failure as final.
fetch_result leave_unfinished(fetch_result r) {
  r.status = fetch_status::interrupted;
  r.reason = "interrupted";
  r.error += "; not retried: the run was stopped";
  return r;
}

}  // namespace

long receive_buffer_for(std::size_t concurrency) {
  constexpr std::size_t all_buffers = 8 << 20, largest = 64 << 10, smallest = 1 << 10;
  std::size_t each = all_buffers / std::max<std::size_t>(concurrency, 1);
  return static_cast<long>(std::clamp(each, smallest, largest));
}

namespace {

fetch_result refuse_invalid_host(const normalized_url& url) {
  fetch_result r;
  r.attempts = 1;
  r.reason = "dns";
  r.error = "could not resolve host '" + url.host + "' (.invalid names never resolve, RFC 6761)";
  return r;
}

// The wait before a retry, in a frame of its own: fetch()'s frame, alive for
// every transfer in flight, holds no timer nor the state of the wait.
asio::awaitable<void> wait_to_retry(std::chrono::milliseconds delay, asio::steady_timer& shutdown) {
  asio::steady_timer pause(co_await asio::this_coro::executor, delay);
  co_await (pause.async_wait(asio::as_tuple(asio::use_awaitable)) ||
            shutdown.async_wait(asio::as_tuple(asio::use_awaitable)));
}

}  // namespace

asio::awaitable<fetch_result> fetch(multi_loop& loop, const normalized_url& url, const request_options& options,
                                    const retry_policy& policy, body_sink& sink, asio::steady_timer& shutdown,
                                    const validators* known, const attempt_observer& observe) {
  if (is_reserved_invalid_host(url.host)) co_return refuse_invalid_host(url);
  fetch_result r;
  for (int attempt_no = 1;; ++attempt_no) {
    CURLcode code;
    std::int64_t retry_after;
    {
      attempt a(loop, url.url, options, sink, known, observe);
      code = co_await loop.async_perform(a.handle(), asio::use_awaitable);
      r = a.result(code);
      retry_after = a.retry_after();
    }
    r.attempts = attempt_no;
    if (observe && code != CURLE_ABORTED_BY_CALLBACK) {
      bool overloaded = r.http_status == 429 || r.http_status == 503 || code == CURLE_OPERATION_TIMEDOUT;
      observe(attempt_signal{overloaded, overloaded ? retry_after : 0});
    }
    if (r.status != fetch_status::failed || attempt_no > policy.retries || !is_retryable(code, r.http_status))
      co_return r;
    if (retry_after > policy.max_retry_after.count()) {
      r.error += "; Retry-After " + std::to_string(retry_after) + " s is longer than we wait";
      co_return r;
    }
    if (shutdown_requested(shutdown)) co_return leave_unfinished(std::move(r));
    sink.on_discard();
    co_await wait_to_retry(retry_delay(attempt_no, retry_after, policy, next_jitter()), shutdown);
    if (shutdown_requested(shutdown)) co_return leave_unfinished(std::move(r));
  }
}

}  // namespace crawl::crawler
