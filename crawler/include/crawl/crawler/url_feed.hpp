#pragma once
// Reads the URL list on a thread of its own (a slow pipe on standard input
// must never stall the event loop) and hands lines to the loop in batches,
// at most `batches_queued` ahead, so memory stays bounded however long the
// list is.
//
// Why not an Asio channel: a send blocked on a full channel is outstanding
// work that close() does not cancel, so a run stopped early never ran out of
// work and hung (found with SIGTERM on a 20,000-line list). Here the reading
// thread waits on a condition variable, and the loop is only ever posted a
// wake-up, never left with a pending operation.
#include "crawl/crawler/url_list_reader.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace crawl::crawler {

// One input: a URL given as such, or a list read from a descriptor.
struct url_source {
  std::string seed;  // a URL; empty for a list
  int fd = -1;       // a list (0: standard input, left open)
};

struct url_batch {
  std::size_t source = 0;       // which of the sources the lines come from
  std::vector<url_line> lines;  // URLs and bad lines, in list order
  std::uint64_t duplicates = 0; // duplicate lines dropped while this batch was read
  std::uint64_t other_shard = 0; // lines of other shards' hosts dropped (--shard)
  std::vector<normalized_url> others;  // those URLs, when the feed keeps them
  std::uint64_t list_offset = 0; // bytes of the lists read up to the end of this batch
};

inline constexpr std::size_t url_batch_size = 256;
inline constexpr std::size_t url_batches_queued = 4;

// next() and stop() are called on the loop's thread only.
class url_feed {
 public:
  // Takes ownership of fd (0: standard input, left open).
  url_feed(int fd, boost::asio::any_io_executor loop);
  // The sources one after the other, duplicates dropped across all of them;
  // takes ownership of their descriptors. With a shard, only its hosts' URLs.
  // With `keep_others`, other shards' URLs come in each batch's `others`.
  url_feed(std::vector<url_source> sources, boost::asio::any_io_executor loop, shard keep = {},
           bool keep_others = false);
  ~url_feed();
  url_feed(const url_feed&) = delete;
  url_feed& operator=(const url_feed&) = delete;

  // The next batch; nullopt once the list has ended or stop() was called.
  // One caller at a time.
  boost::asio::awaitable<std::optional<url_batch>> next();
  // Stops reading: next() returns nullopt from now on, a waiting next() too.
  // The reading thread ends at its next batch (one blocked in read() on a
  // terminal is left behind at destruction; it touches only its own state).
  void stop();

 private:
  struct shared;
  static void read_list(const std::shared_ptr<shared>& st);  // the reading thread
  std::shared_ptr<shared> shared_;
  boost::asio::steady_timer wake_;  // cancelled (by a posted wake-up) when a batch arrives
  std::thread thread_;
};

}  // namespace crawl::crawler
