#include "crawl/crawler/multi_loop.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/post.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

namespace crawl::crawler {

namespace asio = boost::asio;

struct multi_loop::socket_watch {
  socket_watch(asio::any_io_executor ex, curl_socket_t curl_fd, int watched_fd, bool owned)
      : descriptor(ex, watched_fd), curl_fd(curl_fd), owned(owned) {}
  asio::posix::stream_descriptor descriptor;
  curl_socket_t curl_fd;  // the number libcurl knows the socket by
  bool owned;             // true: libcurl's socket itself (released); false: our dup (closed)
  bool active = true;
  bool want_read = false, want_write = false;
  bool reading = false, writing = false;  // a wait is in progress
};

multi_loop::multi_loop(asio::any_io_executor executor, std::size_t max_cached_connections)
    : executor_(std::move(executor)),
      multi_(curl_multi_init()),
      share_(curl_share_init()),
      timer_(executor_),
      spare_limit_(max_cached_connections > 0 ? max_cached_connections : 64),
      alive_(std::make_shared<multi_loop*>(this)) {
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &multi_loop::socket_callback);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &multi_loop::timer_callback);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  if (max_cached_connections > 0)
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(max_cached_connections));
  // The share handle adds TLS session reuse. It does not share DNS: the
  // multi handle's own cache serves its transfers, and in libcurl 7.88 it is
  // a hash of 71 slots where a share's has 23 (a lookup walks one slot's
  // chain; dns_cache_policy keeps the chains short). One thread uses it: no
  // locks needed.
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

multi_loop::~multi_loop() {
  for (auto& [easy, done] : pending_) curl_multi_remove_handle(multi_, easy);
  pending_.clear();
  for (CURL* easy : spare_) curl_easy_cleanup(easy);  // before the shares they are attached to
  curl_multi_cleanup(multi_);  // closes cached connections through close_callback
  curl_share_cleanup(share_);
  while (!watches_.empty()) drop_watch(watches_.begin()->first);
  for (curl_socket_t s : owned_) ::close(s);
}

void multi_loop::start(CURL* easy, completion done) {
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &multi_loop::open_callback);
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, this);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &multi_loop::close_callback);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, this);
  curl_easy_setopt(easy, CURLOPT_SHARE, transfers_share_ ? transfers_share_ : share_);
  curl_easy_setopt(easy, CURLOPT_DNS_CACHE_TIMEOUT, dns_.timeout_for_transfer(std::chrono::steady_clock::now()));
  CURLMcode rc = curl_multi_add_handle(multi_, easy);
  if (rc != CURLM_OK) {
    asio::post(executor_, asio::append(std::move(done), CURLE_FAILED_INIT));
    return;
  }
  pending_.emplace(easy, std::move(done));
}

void multi_loop::finish(CURL* easy, CURLcode code) {
  auto it = pending_.find(easy);
  if (it == pending_.end()) return;
  completion done = std::move(it->second);
  pending_.erase(it);
  curl_multi_remove_handle(multi_, easy);
  asio::post(executor_, asio::append(std::move(done), code));
}

// Reuse saves the allocation and set-up of a handle (about 5 KiB) and of
// its receive buffer per transfer.
CURL* multi_loop::take_easy() {
  if (spare_.empty()) return curl_easy_init();
  CURL* easy = spare_.back();
  spare_.pop_back();
  return easy;
}

void multi_loop::give_back(CURL* easy) {
  if (!easy) return;
  if (pending_.erase(easy) > 0) curl_multi_remove_handle(multi_, easy);  // its transfer never completed
  if (spare_.size() >= spare_limit_) {
    curl_easy_cleanup(easy);
    return;
  }
  // libcurl 7.88's curl_easy_reset forgets the list of cookie files
  // (CURLOPT_COOKIEFILE) without freeing it: clear it first. With a shared
  // cookie jar this keeps the cookies; an easy handle's own are dropped.
  curl_easy_setopt(easy, CURLOPT_COOKIEFILE, static_cast<char*>(nullptr));
  curl_easy_reset(easy);
  spare_.push_back(easy);
}

void multi_loop::abort(CURL* easy) { finish(easy, CURLE_ABORTED_BY_CALLBACK); }

void multi_loop::abort_all() {
  std::vector<CURL*> all;
  for (const auto& entry : pending_) all.push_back(entry.first);
  for (CURL* easy : all) abort(easy);
}

void multi_loop::resume(CURL* easy) {
  if (pending_.contains(easy)) curl_easy_pause(easy, CURLPAUSE_CONT);
}

void multi_loop::read_done_transfers() {
  // Read every message before removing any handle: curl_multi_remove_handle
  // walks the queue of unread messages, so removing while thousands finish
  // at once (a latency-bound crawl) was quadratic.
  std::vector<std::pair<CURL*, CURLcode>> done;
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left))
    if (msg->msg == CURLMSG_DONE) done.emplace_back(msg->easy_handle, msg->data.result);
  for (auto [easy, code] : done) finish(easy, code);
}

void multi_loop::act(curl_socket_t s, int ev_bitmask) {
  int running = 0;
  curl_multi_socket_action(multi_, s, ev_bitmask, &running);
  read_done_transfers();
}

// --- socket callback: what libcurl wants to wait for on each socket ---

int multi_loop::socket_callback(CURL*, curl_socket_t s, int what, void* self, void*) {
  static_cast<multi_loop*>(self)->on_socket(s, what);
  return 0;
}

void multi_loop::on_socket(curl_socket_t s, int what) {
  if (what == CURL_POLL_REMOVE) {
    drop_watch(s);
    return;
  }
  auto it = watches_.find(s);
  if (it == watches_.end()) {
    bool owned = owned_.contains(s);
    int fd = owned ? s : ::dup(s);
    if (fd < 0) return;  // out of descriptors: the transfer will time out
    it = watches_.emplace(s, std::make_shared<socket_watch>(executor_, s, fd, owned)).first;
  }
  const auto& w = it->second;
  w->want_read = (what & CURL_POLL_IN) != 0;
  w->want_write = (what & CURL_POLL_OUT) != 0;
  if (w->want_read && !w->reading) arm(w, false);
  if (w->want_write && !w->writing) arm(w, true);
}

void multi_loop::arm(const std::shared_ptr<socket_watch>& w, bool write) {
  (write ? w->writing : w->reading) = true;
  auto wait = write ? asio::posix::descriptor_base::wait_write : asio::posix::descriptor_base::wait_read;
  w->descriptor.async_wait(wait, [this, alive = std::weak_ptr(alive_), w, write](boost::system::error_code ec) {
    if (!alive.lock()) return;
    (write ? w->writing : w->reading) = false;
    if (ec || !w->active) return;
    bool& want = write ? w->want_write : w->want_read;
    if (!want) return;
    act(w->curl_fd, write ? CURL_CSELECT_OUT : CURL_CSELECT_IN);
    // libcurl may have changed its interest, re-armed or removed the socket meanwhile.
    if (w->active && want && !(write ? w->writing : w->reading)) arm(w, write);
  });
}

void multi_loop::drop_watch(curl_socket_t s) {
  auto it = watches_.find(s);
  if (it == watches_.end()) return;
  std::shared_ptr<socket_watch> w = std::move(it->second);
  watches_.erase(it);
  w->active = false;
  boost::system::error_code ignored;
  w->descriptor.cancel(ignored);
  if (w->owned) w->descriptor.release();  // libcurl's socket: closed by close_callback
  else w->descriptor.close(ignored);      // our dup
}

// --- timer callback: one timer, replaced each time ---

int multi_loop::timer_callback(CURLM*, long timeout_ms, void* self) {
  static_cast<multi_loop*>(self)->on_timer(timeout_ms);
  return 0;
}

void multi_loop::on_timer(long timeout_ms) {
  std::uint64_t generation = ++timer_generation_;
  timer_.cancel();
  if (timeout_ms < 0) return;
  auto fire = [this, alive = std::weak_ptr(alive_), generation] {
    if (alive.lock() && generation == timer_generation_) act(CURL_SOCKET_TIMEOUT, 0);
  };
  if (timeout_ms == 0) {
    asio::post(executor_, fire);  // never call back into libcurl from its own callback
    return;
  }
  timer_.expires_after(std::chrono::milliseconds(timeout_ms));
  timer_.async_wait([fire](boost::system::error_code ec) {
    if (!ec) fire();
  });
}

// --- socket ownership ---

curl_socket_t multi_loop::open_callback(void* self, curlsocktype, curl_sockaddr* addr) {
  auto* loop = static_cast<multi_loop*>(self);
  int fd = ::socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
  if (fd < 0) return CURL_SOCKET_BAD;
  loop->drop_watch(fd);  // a stale watch on a reused number must not survive
  loop->owned_.insert(fd);
  return fd;
}

int multi_loop::close_callback(void* self, curl_socket_t s) {
  auto* loop = static_cast<multi_loop*>(self);
  loop->drop_watch(s);
  loop->owned_.erase(s);
  return ::close(s);
}

}  // namespace crawl::crawler
