#pragma once
// Which URL to start next under a global and a per-host cap. Pure logic.
#include "crawl/crawler/url.hpp"

#include <boost/unordered/unordered_flat_map.hpp>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

namespace crawl::crawler {

struct scheduled_url {
  normalized_url url;
  std::uint64_t line_no = 0;
};

// URLs wait here while their host is at its cap. The number waiting is
// bounded by `max_waiting`: wants_more() says when to stop reading the list.
// Not thread-safe.
class host_scheduler {
 public:
  host_scheduler(std::size_t max_in_flight, std::size_t per_host, std::size_t max_waiting);

  bool wants_more() const { return waiting_ < max_waiting_; }
  void add(scheduled_url url);
  // A URL that may start now (its slots are taken), or nullopt.
  std::optional<scheduled_url> next();
  // Gives back the slots of a finished URL.
  void done(const std::string& host);

  std::size_t in_flight() const { return in_flight_; }
  std::size_t waiting() const { return waiting_; }
  bool idle() const { return in_flight_ == 0 && waiting_ == 0; }

 private:
  struct host_state {
    std::size_t in_flight = 0;
    std::deque<scheduled_url> queue;
  };
  std::size_t max_in_flight_, per_host_, max_waiting_;
  std::size_t in_flight_ = 0, waiting_ = 0;
  boost::unordered_flat_map<std::string, host_state> hosts_;
  std::deque<std::string> ready_hosts_;  // hosts with a queue and a free slot
};

}  // namespace crawl::crawler
