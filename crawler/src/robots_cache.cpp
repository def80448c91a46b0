#include "crawl/crawler/robots_cache.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <ctime>

namespace crawl::crawler {

namespace asio = boost::asio;

namespace {

// Collects the first max_bytes of the file; the rest is read and dropped.
class robots_sink : public body_sink {
 public:
  bool on_head(const response_head&, std::function<void()>) override { return true; }
  bool on_body(std::string_view bytes) override {
    std::size_t room = robots_policy::max_bytes - std::min(text.size(), robots_policy::max_bytes);
    text.append(bytes.substr(0, room));
    return true;
  }
  void on_discard() override { text.clear(); }
  std::string text;
};

}  // namespace

std::string path_of(const std::string& url) {
  std::string origin = origin_of(url);
  std::string rest = url.substr(origin.size());
  if (auto hash = rest.find('#'); hash != std::string::npos) rest.resize(hash);
  if (rest.empty() || rest[0] != '/') rest.insert(0, "/");
  return rest;
}

robots_cache::robots_cache(multi_loop_pool& loops, request_options request, retry_policy retry,
                           asio::steady_timer& shutdown, options o)
    : loops_(loops), request_(std::move(request)), retry_(retry), shutdown_(shutdown), options_(std::move(o)) {
  request_.max_redirects = 5;                              // RFC 9309: at least five
  request_.max_size = robots_policy::max_bytes + (64 << 10);  // more is cut, not refused: see the sink
  request_.capture_raw = false;
}

void robots_cache::touch(entry& e) { lru_.splice(lru_.end(), lru_, e.lru); }

// Keeps at most max_origins policies: the least recently used go, except
// one being fetched (its waiters hold on to it).
void robots_cache::evict() {
  for (auto it = lru_.begin(); entries_.size() > options_.max_origins && it != lru_.end();) {
    auto found = entries_.find(*it);
    if (found != entries_.end() && found->second.policy) {
      entries_.erase(found);
      it = lru_.erase(it);
    } else {
      ++it;
    }
  }
}

robots_verdict robots_cache::verdict(const entry& e, const std::string& url) const {
  robots_verdict v;
  if (e.unavailable) {
    v.allowed = false;
    v.reason = e.unavailable_reason;
    v.detail = v.reason == "robots-unreachable"
                   ? "robots.txt unreachable (" + e.unavailable_why + ") for " +
                         std::to_string(options_.unreachable.count()) + " s or more: the site is given up"
                   : "robots.txt unavailable (" + e.unavailable_why + "): nothing is fetched from this site for now";
    return v;
  }
  if (!e.policy->allowed(path_of(url))) {
    v.allowed = false;
    v.reason = "robots";
    v.detail = "disallowed by robots.txt";
  }
  if (auto delay = e.policy->crawl_delay())
    v.crawl_delay = std::chrono::milliseconds(static_cast<std::int64_t>(*delay * 1000));
  return v;
}

asio::awaitable<const robots_cache::entry*> robots_cache::settled(const normalized_url& url, bool& waited) {
  std::string origin = origin_of(url.url);
  auto now = clock::now();
  auto it = entries_.find(origin);
  std::int64_t failing_since = 0;  // carried over to the next fetch
  if (it != entries_.end() && it->second.policy && it->second.expires <= now) {
    failing_since = it->second.failing_since;
    lru_.erase(it->second.lru);
    entries_.erase(it);
    it = entries_.end();
  }
  std::optional<robots_record> kept;
  if (it == entries_.end() && options_.memory) kept = options_.memory->recall(origin);
  if (kept && kept->failing_since == 0) {
    auto age = std::chrono::seconds(std::time(nullptr) - kept->fetched_at);
    if (age >= std::chrono::seconds(0) && age < options_.keep) {  // a recent answer: no need to ask again
      entry known;
      known.lru = lru_.insert(lru_.end(), origin);
      take_answer(known, *kept, age);
      it = entries_.emplace(origin, std::move(known)).first;
      evict();
    }
  } else if (kept) {
    failing_since = kept->failing_since;
  }
  if (it == entries_.end()) {
    entry fresh;
    fresh.ready = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor, clock::time_point::max());
    fresh.lru = lru_.insert(lru_.end(), origin);
    fresh.failing_since = failing_since;
    entries_.emplace(origin, std::move(fresh));
    co_await fetch_into(origin, url.host);
    evict();
    waited = true;
  } else if (!it->second.policy) {  // another URL of the origin is fetching it: wait for that
    auto ready = it->second.ready;
    co_await ready->async_wait(asio::as_tuple(asio::use_awaitable));
    waited = true;
  } else {
    touch(it->second);
  }
  auto done = entries_.find(origin);
  co_return done != entries_.end() && done->second.policy ? &done->second : nullptr;
}

asio::awaitable<robots_verdict> robots_cache::check(const normalized_url& url) {
  bool waited = false;
  const entry* e = co_await settled(url, waited);
  robots_verdict v = e ? verdict(*e, url.url) : robots_verdict{};
  v.waited = waited;
  co_return v;
}

asio::awaitable<std::vector<std::string>> robots_cache::sitemaps(const normalized_url& url) {
  bool waited = false;
  const entry* e = co_await settled(url, waited);
  if (!e || e->unavailable) co_return std::vector<std::string>{};
  co_return e->policy->sitemaps();
}

asio::awaitable<void> robots_cache::fetch_into(const std::string& origin, const std::string& host) {
  robots_sink sink;
  normalized_url robots{origin + "/robots.txt", host};
  attempt_observer observe = options_.signals ? options_.signals(host) : attempt_observer{};
  fetch_result r = co_await fetch(loops_.for_host(host), robots, request_, retry_, sink, shutdown_, nullptr, observe);
  auto it = entries_.find(origin);
  if (it == entries_.end()) co_return;
  entry& e = it->second;
  robots_record record;
  record.status = r.http_status;
  record.fetched_at = std::time(nullptr);
  long status = r.http_status;
  bool too_large = r.reason == "too-large";
  bool answered = (status >= 200 && status <= 299 && (r.status == fetch_status::ok || too_large)) ||
                  (status >= 400 && status <= 499 && status != 429);
  if (answered) {
    if (status <= 299) record.text = std::move(sink.text);
    take_answer(e, record, std::chrono::seconds(0));
  } else {
    record.failing_since = e.failing_since ? e.failing_since : record.fetched_at;
    record.failure = status ? "HTTP " + std::to_string(status) : r.error;
    e.failing_since = record.failing_since;
    e.policy = robots_policy::disallow_all();
    e.unavailable = true;
    e.unavailable_why = record.failure;
    if (std::chrono::seconds(record.fetched_at - record.failing_since) >= options_.unreachable) {
      e.unavailable_reason = "robots-unreachable";
      e.expires = clock::now() + options_.keep;
    } else {
      // A site that cannot be reached at all fails its URLs for that reason.
      e.unavailable_reason = status ? "robots-unavailable" : r.reason;
      e.expires = clock::now() + options_.retry_unavailable;
    }
  }
  if (options_.memory && r.status != fetch_status::interrupted) options_.memory->remember(origin, record);
  e.ready->cancel();
}

void robots_cache::take_answer(entry& e, const robots_record& record, std::chrono::seconds age) {
  e.policy = record.status <= 299 ? robots_policy::parse(record.text, options_.product) : robots_policy::allow_all();
  e.failing_since = 0;
  e.expires = clock::now() + (options_.keep - age);
}

}  // namespace crawl::crawler
