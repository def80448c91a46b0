#include "batch_workers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace crawl::app {

namespace asio = boost::asio;

namespace {
constexpr std::size_t end_of_input = static_cast<std::size_t>(-1);
}

batch_workers::batch_workers(unsigned threads, std::size_t inputs, std::shared_ptr<const pipeline::summary_rules> rules)
    : pool_(threads), channel_(pool_.get_executor(), threads * 2) {
  results_.resize(threads);
  for (auto& r : results_) r.resize(inputs);
  for (unsigned i = 0; i < threads; ++i)
    asio::co_spawn(pool_, work(results_[i], rules), [this](std::exception_ptr e) {
      if (!e) return;
      {
        std::lock_guard lock(failure_mutex_);
        if (!failure_) failure_ = e;
      }
      abandon();  // no worker may be left waiting on a channel nobody drains
    });
}

asio::awaitable<void> batch_workers::send(line_chunk& chunk) {
  // Sent from a local with as_tuple: with plain use_awaitable, Asio 1.26
  // under GCC 12 left the payload's string pointing into a freed frame.
  line_chunk local = std::move(chunk);
  co_await channel_.async_send(boost::system::error_code{}, std::move(local), asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> batch_workers::end() {
  for (std::size_t i = 0; i < results_.size(); ++i) {
    line_chunk sentinel{{}, false, end_of_input, 0, {}};
    co_await channel_.async_send(boost::system::error_code{}, std::move(sentinel), asio::as_tuple(asio::use_awaitable));
  }
}

void batch_workers::abandon() {
  channel_.cancel();
  channel_.close();
}

std::vector<pipeline::log_summary> batch_workers::join() {
  pool_.join();
  if (failure_) std::rethrow_exception(failure_);
  std::vector<pipeline::log_summary> merged = std::move(results_[0]);
  for (std::size_t w = 1; w < results_.size(); ++w)
    for (std::size_t i = 0; i < merged.size(); ++i) merged[i].merge(results_[w][i]);
  return merged;
}

asio::awaitable<void> batch_workers::work(std::vector<pipeline::log_summary>& per_input,
                                          std::shared_ptr<const pipeline::summary_rules> rules) {
  pipeline::log_summarizer summarizer(rules);
  for (;;) {
    auto [ec, chunk] = co_await channel_.async_receive(asio::as_tuple(asio::use_awaitable));
    if (ec || chunk.input == end_of_input) co_return;
    summarizer.add(chunk.bytes, chunk.truncated, per_input[chunk.input], chunk.skipped, chunk.origin);
  }
}

}  // namespace crawl::app
