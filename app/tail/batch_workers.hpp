#pragma once
// The workers of a batch `crawl tail`: coroutines on a thread pool, each
// with its own summarizer and per-input summaries, all taking chunks from
// one bounded channel.
#include "log_reader.hpp"

#include "crawl/pipeline/log_summary.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/thread_pool.hpp>

#include <exception>
#include <memory>
#include <mutex>
#include <vector>

namespace crawl::app {

using line_chunk_channel = boost::asio::experimental::concurrent_channel<void(boost::system::error_code, line_chunk)>;

class batch_workers {
 public:
  batch_workers(unsigned threads, std::size_t inputs, std::shared_ptr<const pipeline::summary_rules> rules);

  // Hands a chunk to the workers, waiting while the channel is full.
  boost::asio::awaitable<void> send(line_chunk& chunk);
  // Tells every worker the input is over, after the chunks already queued
  // (closing the channel instead would drop them).
  boost::asio::awaitable<void> end();
  // Drops what is queued and ends the workers (an interrupted run).
  void abandon();
  // After end() or abandon(): waits for the workers and returns the
  // per-input summaries, merged. Rethrows a worker's exception.
  std::vector<pipeline::log_summary> join();

 private:
  boost::asio::awaitable<void> work(std::vector<pipeline::log_summary>& per_input,
                                    std::shared_ptr<const pipeline::summary_rules> rules);

  boost::asio::thread_pool pool_;
  line_chunk_channel channel_;
  std::vector<std::vector<pipeline::log_summary>> results_;
  std::mutex failure_mutex_;
  std::exception_ptr failure_;
};

}  // namespace crawl::app
