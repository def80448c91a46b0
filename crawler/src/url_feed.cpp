#include "crawl/crawler/url_feed.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace crawl::crawler {

url_feed::url_feed(int fd, boost::asio::any_io_executor network)
    : state_(std::make_shared<state>(fd, network)) {
  thread_ = std::thread([st = state_] {
    for (;;) {
      url_batch batch;
      batch.reserve(url_batch_size);
      while (batch.size() < url_batch_size) {
        auto line = st->reader.next();
        if (!line) break;
        batch.push_back(std::move(*line));
      }
      st->duplicates = st->reader.duplicates();
      bool last = batch.size() < url_batch_size;
      bool marks_end = batch.empty();
      // Blocks this thread (not the loop) while the channel is full.
      auto sent = st->channel.async_send(boost::system::error_code{}, std::move(batch), boost::asio::use_future);
      try {
        sent.get();
      } catch (const boost::system::system_error&) {
        return;  // closed: the run stopped early
      }
      if (last && !marks_end) {
        // The list ended inside this batch: an empty batch marks the end.
        auto end = st->channel.async_send(boost::system::error_code{}, url_batch{}, boost::asio::use_future);
        try {
          end.get();
        } catch (const boost::system::system_error&) {
        }
      }
      if (last) {
        st->finished = true;
        return;
      }
    }
  });
}

url_feed::~url_feed() {
  stop();
  // A thread blocked reading a terminal or a pipe that never ends is left
  // behind rather than waited for; it holds only its own state.
  if (!thread_.joinable()) return;
  if (state_->finished) thread_.join();
  else thread_.detach();
}

}  // namespace crawl::crawler
