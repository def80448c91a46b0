#pragma once
// Reads the URL list on a thread of its own (a slow pipe on stdin must never
// stall the event loop) and hands lines over in batches through a bounded
// channel, so memory stays bounded however long the list is. An empty batch
// marks the end of the list.
#include "crawl/crawler/url_list_reader.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace crawl::crawler {

using url_batch = std::vector<url_line>;
using url_channel = boost::asio::experimental::concurrent_channel<void(boost::system::error_code, url_batch)>;

inline constexpr std::size_t url_batch_size = 256;
inline constexpr std::size_t url_batches_queued = 4;

class url_feed {
 public:
  // Takes ownership of fd (0: standard input, left open).
  url_feed(int fd, boost::asio::any_io_executor network);
  ~url_feed();
  url_channel& channel() { return state_->channel; }
  // Stops reading; the thread ends at its next batch.
  void stop() { state_->channel.close(); }
  std::uint64_t duplicates() const { return state_->duplicates.load(); }

 private:
  struct state {
    state(int fd, boost::asio::any_io_executor ex) : reader(fd), channel(ex, url_batches_queued) {}
    url_list_reader reader;
    url_channel channel;
    std::atomic<std::uint64_t> duplicates{0};
    std::atomic<bool> finished{false};
  };
  std::shared_ptr<state> state_;  // shared with the thread, which may outlive us while blocked in read()
  std::thread thread_;
};

}  // namespace crawl::crawler
