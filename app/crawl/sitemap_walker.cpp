#include "sitemap_walker.hpp"

#include "diagnostics.hpp"

#include "crawl/crawler/sitemap.hpp"
#include "crawl/crawler/url.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace crawl::app {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;
using clock = std::chrono::steady_clock;

struct sitemap_walker::file {
  crawler::normalized_url url;
  bool listed = false;  // named by robots.txt or an index: failing to read it is worth a warning
};

namespace {

constexpr std::size_t batch_size = 1000;

// Reads the file as it arrives: page locations go to the frontier a batch
// at a time, an index's entries to `nested`.
class sitemap_sink : public crawler::body_sink {
 public:
  sitemap_sink(const sitemap_walker::context& c, std::string url, std::vector<std::string>& nested)
      : c_(c), url_(std::move(url)), nested_(nested) {}

  bool on_head(const crawler::response_head&, std::function<void()>) override { return true; }
  bool on_body(std::string_view bytes) override {
    if (error.empty()) {
      reader_->feed(bytes);
      hand_on(false);
    }
    return true;  // past a limit the rest is read and dropped
  }
  void on_discard() override {
    // A retry follows: the file is read again from its start; locations
    // already queued are known to the frontier and not queued twice.
    reader_ = std::make_unique<crawler::sitemap_reader>();
    nested_.clear();
    batch_.clear();
  }
  // The transfer ended with the whole file: false when it is not a readable sitemap.
  bool finish() {
    bool ok = reader_->finish();
    hand_on(true);
    return ok;
  }
  const crawler::sitemap_reader& reader() const { return *reader_; }

  std::uint64_t queued = 0;
  std::string error;  // the frontier failed

 private:
  void hand_on(bool last) {
    for (auto& loc : reader_->take()) {
      if (reader_->what() == crawler::sitemap_reader::kind::index) nested_.push_back(std::move(loc));
      else batch_.push_back(std::move(loc));
    }
    if (batch_.size() < batch_size && !(last && !batch_.empty())) return;
    std::vector<skipped_link> skipped;
    queued += c_.follower.from_sitemap(url_, batch_, c_.report_skipped ? &skipped : nullptr, error);
    if (!skipped.empty()) c_.report_skipped(skipped);
    batch_.clear();
  }

  const sitemap_walker::context& c_;
  std::string url_;
  std::vector<std::string>& nested_;
  std::unique_ptr<crawler::sitemap_reader> reader_ = std::make_unique<crawler::sitemap_reader>();
  std::vector<std::string> batch_;
};

}  // namespace

sitemap_walker::sitemap_walker(context c) : c_(std::move(c)) {
  // A sitemap may hold up to 50 MB; what is past that is cut by the reader.
  c_.request.max_size = crawler::sitemap_reader::max_bytes + (1 << 20);
  c_.request.capture_raw = false;
}

bool sitemap_walker::first_seen(const crawler::normalized_url& seed) {
  return sites_.insert(crawler::origin_of(seed.url)).second;
}

asio::awaitable<bool> sitemap_walker::read_site(crawler::normalized_url seed, std::string& error) {
  std::vector<file> todo;
  auto want = [&](const std::string& text, bool listed) {
    auto checked = crawler::normalize_url(text);
    if (checked.url) todo.push_back(file{std::move(*checked.url), listed});
    else log_line("warning", "sitemap " + text + " of " + seed.url + ": " + checked.error, {{"url", text}});
  };
  if (c_.robots)
    for (const auto& listed : co_await c_.robots->sitemaps(seed)) want(listed, true);
  want(crawler::origin_of(seed.url) + "/sitemap.xml", false);

  boost::unordered_flat_set<std::string> read;
  for (std::size_t i = 0; i < todo.size() && read.size() < max_files && !stopped(); ++i) {
    file f = todo[i];
    if (!read.insert(f.url.url).second) continue;
    std::vector<std::string> nested;
    if (!co_await read_file(f, nested, error)) co_return false;
    for (const auto& n : nested)
      if (todo.size() < 2 * max_files) want(n, true);
  }
  co_return true;
}

bool sitemap_walker::stopped() const { return c_.stop.expiry() == clock::time_point::min(); }

// Waits for the host's next turn; false when the run stopped meanwhile.
asio::awaitable<bool> sitemap_walker::wait_turn(const std::string& host) {
  auto at = c_.scheduler.reserve(host, clock::now());
  if (at > clock::now()) {
    asio::steady_timer turn(co_await asio::this_coro::executor, at);
    co_await (turn.async_wait(asio::as_tuple(asio::use_awaitable)) ||
              c_.stop.async_wait(asio::as_tuple(asio::use_awaitable)));
  }
  co_return !stopped();
}

asio::awaitable<bool> sitemap_walker::read_file(file& f, std::vector<std::string>& nested, std::string& error) {
  const std::string& url = f.url.url;
  if (c_.robots) {
    crawler::robots_verdict v = co_await c_.robots->check(f.url);
    if (!v.allowed) {
      log_line("warning", "sitemap " + url + " not read: " + v.detail, {{"url", url}});
      co_return true;
    }
  }
  if (!co_await wait_turn(f.url.host)) co_return true;
  sitemap_sink sink(c_, url, nested);
  crawler::attempt_observer observe = c_.signals ? c_.signals(f.url.host) : crawler::attempt_observer{};
  crawler::fetch_result r =
      co_await crawler::fetch(c_.loops.for_host(f.url.host), f.url, c_.request, c_.retry, sink, c_.stop, nullptr, observe);
  bool whole = r.status == crawler::fetch_status::ok;
  bool cut_by_size = r.reason == "too-large" && !sink.reader().cut().empty();
  if (r.status == crawler::fetch_status::interrupted) co_return true;
  if (!whole && !cut_by_size) {
    // A site without /sitemap.xml is common; one its robots.txt names is not.
    if (f.listed || r.http_status != 404) {
      ++figures_.failed;
      log_line("warning", "sitemap " + url + ": " + r.error, {{"url", url}, {"reason", r.reason}});
    }
    co_return true;
  }
  bool readable = sink.finish();
  if (!sink.error.empty()) {
    error = sink.error;
    co_return false;
  }
  ++figures_.files;
  if (sink.reader().what() != crawler::sitemap_reader::kind::index) figures_.urls += sink.reader().found();
  figures_.queued += sink.queued;
  if (sink.queued && c_.found_more) c_.found_more();
  if (!readable) {
    ++figures_.failed;
    log_line("warning", "sitemap " + url + ": " + sink.reader().error(), {{"url", url}});
  } else if (!sink.reader().cut().empty()) {
    log_line("warning", "sitemap " + url + ": " + sink.reader().cut(), {{"url", url}});
  }
  co_return true;
}

}  // namespace crawl::app
