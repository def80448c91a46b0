#pragma once
// The text-processing side of `crawl`: worker coroutines that turn body
// chunks into word counts, each on its own thread, fed by bounded channels.
#include "crawl/crawler/url.hpp"
#include "crawl/pipeline/document.hpp"
#include "crawl/pipeline/word_counts.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace crawl::app {

// What a worker reports, on the network thread, when a page is done.
// A link of a page, resolved by the worker that read it (--follow): the
// URL, or nothing when it is not an http(s) URL.
struct resolved_link {
  std::optional<crawler::normalized_url> url;
  bool nofollow = false;
};

struct page_outcome {
  std::uint64_t words = 0;
  pipeline::content_kind kind = pipeline::content_kind::text;  // other: sniffed as binary
  std::string counts;              // the page's counts, zstd-compressed (only when kept)
  std::uint64_t content_hash = 0;  // of the decoded body (only when kept)
  std::shared_ptr<const pipeline::html_links> links;  // with --follow, an HTML page's links
  bool noindex = false;            // <meta name=robots content=noindex>: its words were not counted
  std::shared_ptr<const std::vector<resolved_link>> resolved;  // the links, resolved, when asked for
};

// One page's processing state. Created on the network thread, then touched
// only by the worker its chunks go to.
struct page_job {
  page_job(pipeline::content_kind kind, std::string charset, std::shared_ptr<const pipeline::token_rules> rules)
      : doc(kind, std::move(charset), std::move(rules)) {}
  pipeline::document doc;
  bool attached = false;                      // its document uses the worker's totals as dictionary
  bool keep_counts = false;                   // hand the page's counts back (for --state)
  std::uint64_t content_hash = 0x9E3779B97F4A7C15ull;
  std::shared_ptr<pipeline::html_links> links;  // with --follow: read by the document, in its pass
  bool obey_noindex = false;                    // a noindex page's words do not count
  bool resolve_links = false;                   // resolve them too, here rather than on the network thread
  std::string base_url;                         // the page's final URL, set at commit
  std::function<void(page_outcome)> on_done;  // runs on the network thread
};

// A piece of a page for its worker: data, or the last piece (maybe empty)
// and the page's end (commit), or the page given up (discard).
struct text_chunk {
  enum class action { data, commit, discard };
  std::shared_ptr<page_job> page;
  std::string bytes;
  action what = action::data;
};

using chunk_channel = boost::asio::experimental::concurrent_channel<void(boost::system::error_code, text_chunk)>;

// Chunks are about this size: large enough that hand-offs are rare, small
// enough that a page never has to be held whole.
inline constexpr std::size_t chunk_bytes = 64 * 1024;
// Chunks queued per worker before senders wait (and transfers pause).
inline constexpr std::size_t channel_capacity = 32;

// N workers. With one worker it runs on the network thread itself: on a
// single core a second thread only adds hand-off costs. Each worker keeps
// its own totals; take_totals() merges them after join(). A page's words are
// interned in its worker's totals as it is read and counted there when the
// page is committed (pipeline::word_tally), so a failed attempt adds nothing.
//
// Why a worker pool beside the network, not text counted on the network
// lanes' threads: measured on 20,000 pages of 28 KB from one nginx on
// loopback (2 cores), text extraction and counting take about 70% of the CPU
// and the curl loop the rest, and a crawl of one host runs on one lane. One
// loop with 2 workers: 2.3 s; with the worker on the loop's thread: 3.6 s.
// With two lanes, a worker on each lane's thread instead of their own: 2.59
// s against 2.65 s (median of 9), no gain.
class worker_pool {
 public:
  // `on_failure` runs on the network thread if a worker's coroutine throws
  // (a bug); that worker counts nothing more.
  worker_pool(unsigned workers, boost::asio::io_context& network,
              std::function<void(std::exception_ptr)> on_failure);
  ~worker_pool();

  // The channel for a new page, round-robin. Any thread.
  chunk_channel& pick();
  // Closes the channels: each worker ends once it sees that, and a send
  // still waiting for room is cancelled (a closed channel alone would leave
  // it pending for ever). Call on the network thread when every page is
  // done, so the inline worker ends too.
  void close();
  // close(), then waits for the worker threads.
  void join();
  pipeline::word_counts take_totals();

 private:
  struct worker;
  boost::asio::any_io_executor network_;
  std::function<void(std::exception_ptr)> on_failure_;
  std::vector<std::unique_ptr<worker>> workers_;
  std::atomic<std::size_t> next_ = 0;
};

}  // namespace crawl::app
