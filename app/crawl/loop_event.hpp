#pragma once
// A condition variable for coroutines on one thread: wait() returns at the
// next notify() (or when cancelled). A notify() with no waiter is lost, so
// a waiter checks its condition before each wait; on one thread nothing can
// slip in between.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace crawl::app {

class loop_event {
 public:
  explicit loop_event(const boost::asio::any_io_executor& executor)
      : timer_(executor, std::chrono::steady_clock::time_point::max()) {}
  boost::asio::awaitable<void> wait() {
    co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
  void notify() { timer_.cancel(); }

 private:
  boost::asio::steady_timer timer_;  // never expires: only cancel() ends a wait
};

}  // namespace crawl::app
