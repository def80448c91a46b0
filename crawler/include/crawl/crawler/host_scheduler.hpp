#pragma once
// Which URL to start next: a global cap, a per-host cap, and per-host
// politeness (a gap between the starts of two requests to one host, which a
// host's Crawl-delay and its own signs of overload widen). Pure logic: the
// time is passed in.
//
// Fairness: the scheduler picks among hosts that are ready, round-robin,
// never among URLs, so one host with a million URLs does not starve a
// thousand with twenty each.
#include "crawl/crawler/url.hpp"

#include <boost/unordered/unordered_flat_map.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

namespace crawl::crawler {

struct scheduled_url {
  normalized_url url;
  std::uint64_t line_no = 0;
  std::uint32_t depth = 0;  // links followed from a seed to reach it
  std::string referrer;     // the page (or sitemap) it was found on; empty for a seed
  std::string via;          // "link" or "sitemap"; empty for a seed
};

struct politeness {
  std::chrono::milliseconds delay{0};  // --delay: between two starts on one host
  double rate = 0;                     // --rate: starts per second per host at most (0: no limit)
  bool back_off = true;                // widen a host's gap on 429, 503 and timeouts, and pause it on Retry-After
  std::chrono::milliseconds max_back_off{60'000};
};

// URLs wait here while their host is at its cap or waiting out its gap.
// The number waiting is bounded by `max_waiting`: wants_more() says when to
// stop reading the list. Not thread-safe.
class host_scheduler {
 public:
  using clock = std::chrono::steady_clock;

  host_scheduler(std::size_t max_in_flight, std::size_t per_host, std::size_t max_waiting, politeness p = {});

  bool wants_more() const { return waiting_ < max_waiting_; }
  void add(scheduled_url url);
  // A URL that may start at `now` (its slots are taken), or nullopt.
  std::optional<scheduled_url> next(clock::time_point now = clock::now());
  // When a host now waiting out its gap may start: call next() then.
  // nullopt when nothing waits on time.
  std::optional<clock::time_point> next_due() const;
  // Gives back the slots of a finished URL.
  void done(const std::string& host);

  // What a host said: it is overloaded (429, 503, a timeout): its gap
  // doubles, up to max_back_off, and `pause` (a Retry-After) holds every
  // URL of it; or it answered well: the gap shrinks back by half.
  void overloaded(const std::string& host, clock::time_point now, std::optional<std::chrono::milliseconds> pause = {});
  void answered(const std::string& host);
  // A request to the host went out at `now` (started by the scheduler or
  // not, as robots.txt and sitemaps are): the next start waits a whole gap
  // from it, so that the gaps hold as the host sees them, connection set-up
  // included.
  void sent(const std::string& host, clock::time_point now);
  // The host's Crawl-delay (robots.txt): its gap is at least this.
  void set_crawl_delay(const std::string& host, std::chrono::milliseconds delay);
  // A new turn for a URL already started whose request was held up (by its
  // site's robots.txt): when it may send it, keeping the host's gap.
  clock::time_point reserve(const std::string& host, clock::time_point now);
  // The gap now kept between two starts on `host`.
  std::chrono::milliseconds gap(const std::string& host) const;

  std::size_t in_flight() const { return in_flight_; }
  std::size_t waiting() const { return waiting_; }
  std::size_t hosts() const { return hosts_.size(); }
  std::uint64_t back_offs() const { return back_offs_; }  // times overloaded() slowed a host
  bool idle() const { return in_flight_ == 0 && waiting_ == 0; }

 private:
  struct host_state {
    std::size_t in_flight = 0;
    std::deque<scheduled_url> queue;
    clock::time_point next_start{};         // no start before this
    std::chrono::milliseconds back_off{0};  // grows on overload, shrinks on success
    std::chrono::milliseconds crawl_delay{0};
    bool listed = false;                    // in ready_ or due_
  };
  std::chrono::milliseconds gap_of(const host_state& h) const;
  // Lists the host as ready (now) or due (later) when it has a URL and a slot.
  void list(const std::string& name, host_state& h);
  void retire(const std::string& name, const host_state& h);
  void sweep(clock::time_point now);

  std::size_t max_in_flight_, per_host_, max_waiting_;
  politeness politeness_;
  std::size_t in_flight_ = 0, waiting_ = 0;
  std::uint64_t back_offs_ = 0;
  boost::unordered_flat_map<std::string, host_state> hosts_;
  std::deque<std::string> ready_;                       // may start now, round-robin
  std::multimap<clock::time_point, std::string> due_;  // may start at that time
  std::deque<std::string> idle_;                        // idle hosts kept until their gap is over
};

}  // namespace crawl::crawler
