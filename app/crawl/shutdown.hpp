#pragma once
// How a crawl ends early, as one awaitable: the first SIGINT or SIGTERM, or
// --deadline, stops new transfers; those in flight get --grace, then are
// aborted; a further signal aborts them at once. Run it beside the crawl
// with Asio's ||: it never completes by itself, so the crawl's end (every
// transfer back) is what ends it, and cancels its waits.
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <optional>

namespace crawl::app {

enum class stop_cause { signal, deadline };

// What the shutdown acts on: the crawl, on the same thread.
class stoppable {
 public:
  virtual ~stoppable() = default;
  // No transfer starts from now on; the list is no longer read.
  virtual void stop_starting(stop_cause cause) = 0;
  // Every transfer in flight ends now, as unfinished.
  virtual void abort_in_flight() = 0;
  virtual std::size_t transfers_in_flight() const = 0;
};

struct shutdown_options {
  std::chrono::milliseconds grace{5'000};
  std::optional<std::chrono::milliseconds> deadline;  // from the start of the run
  bool quiet = false;                                 // no warning lines
};

boost::asio::awaitable<void> watch_for_shutdown(shutdown_options options, stoppable& run);

}  // namespace crawl::app
