#pragma once
// The curl/Asio bridge: the only file that sees both CURLM and Asio.
//
// It follows libcurl's multi socket contract literally:
// - one steady_timer, replaced on every CURLMOPT_TIMERFUNCTION call; a zero
//   timeout is deferred with post(), never acted on inside the callback;
// - a socket wait is re-armed after every readiness event for as long as
//   libcurl wants that direction, until it says CURL_POLL_REMOVE;
// - socket ownership: sockets libcurl opens for transfers are opened and
//   closed by us (CURLOPT_OPENSOCKETFUNCTION / CLOSESOCKETFUNCTION); Asio
//   watches them through a descriptor that is released, never closed, before
//   the socket is closed. Any other descriptor libcurl asks us to watch (the
//   threaded resolver's wake-up pipe) is watched through a dup() that we
//   close on CURL_POLL_REMOVE, so libcurl closing its own copy can never
//   confuse the reactor.
//
// Thread-safety: everything runs on the one thread that runs the executor
// given to the constructor. None of it is thread-safe.
#include "crawl/crawler/dns_cache_policy.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <curl/curl.h>

#include <memory>
#include <vector>

namespace crawl::crawler {

class multi_loop {
 public:
  // `max_cached_connections` (0: libcurl's default) sizes the connection
  // cache: set it to the transfers in flight, or libcurl prunes the cache
  // with a walk over every connection each time a transfer ends. libcurl
  // also walks the cache when a handle is removed, so thousands of
  // transfers go through a multi_loop_pool, not one loop.
  explicit multi_loop(boost::asio::any_io_executor executor, std::size_t max_cached_connections = 0);
  ~multi_loop();
  multi_loop(const multi_loop&) = delete;
  multi_loop& operator=(const multi_loop&) = delete;

  // Runs the configured easy handle to completion and completes with its
  // result. The handle must stay alive until then. Call only on the loop's
  // thread, and never from inside a libcurl callback.
  template <class Token>
  auto async_perform(CURL* easy, Token&& token) {
    return boost::asio::async_initiate<Token, void(CURLcode)>(
        [this](auto handler, CURL* e) { start(e, completion(std::move(handler))); },
        token, easy);
  }

  // Ends a transfer started by async_perform at once; it completes with
  // CURLE_ABORTED_BY_CALLBACK. Does nothing for an unknown handle.
  void abort(CURL* easy);
  // abort() for every transfer in progress.
  void abort_all();
  // The transfers started from now on use `share` (which must share TLS
  // sessions too, and outlive them; never DNS) instead of the loop's own: one
  // share for several loops, to share cookies among all transfers.
  void use_share(CURLSH* share) { transfers_share_ = share; }
  // An easy handle for a transfer on this loop: one given back earlier
  // (reset to libcurl's defaults, its memory kept) when there is one.
  CURL* take_easy();
  // A handle whose transfer has completed, kept for take_easy() while fewer
  // than the loop's share of transfers are kept; otherwise freed.
  void give_back(CURL* easy);
  // Resumes a transfer paused by CURL_WRITEFUNC_PAUSE.
  void resume(CURL* easy);
  std::size_t running() const { return pending_.size(); }
  boost::asio::any_io_executor get_executor() const { return executor_; }

 private:
  struct socket_watch;
  using completion = boost::asio::any_completion_handler<void(CURLcode)>;

  void start(CURL* easy, completion done);
  void finish(CURL* easy, CURLcode code);
  void on_socket(curl_socket_t s, int what);
  void on_timer(long timeout_ms);
  void arm(const std::shared_ptr<socket_watch>& w, bool write);
  void act(curl_socket_t s, int ev_bitmask);
  void drop_watch(curl_socket_t s);
  void read_done_transfers();

  static int socket_callback(CURL*, curl_socket_t s, int what, void* self, void*);
  static int timer_callback(CURLM*, long timeout_ms, void* self);
  static curl_socket_t open_callback(void* self, curlsocktype, curl_sockaddr* addr);
  static int close_callback(void* self, curl_socket_t s);

  boost::asio::any_io_executor executor_;
  CURLM* multi_;
  CURLSH* share_;
  CURLSH* transfers_share_ = nullptr;  // use_share(), else share_
  dns_cache_policy dns_;                // when a transfer prunes the DNS cache
  boost::asio::steady_timer timer_;
  std::uint64_t timer_generation_ = 0;
  boost::unordered_flat_map<curl_socket_t, std::shared_ptr<socket_watch>> watches_;
  boost::unordered_flat_set<curl_socket_t> owned_;  // sockets from open_callback
  boost::unordered_flat_map<CURL*, completion> pending_;
  std::vector<CURL*> spare_;  // easy handles given back
  std::size_t spare_limit_;
  // Handlers queued on the executor hold a weak_ptr to this, so one that runs
  // after the loop is gone does nothing.
  std::shared_ptr<multi_loop*> alive_;
};

}  // namespace crawl::crawler
