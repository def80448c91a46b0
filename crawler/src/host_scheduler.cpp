#include "crawl/crawler/host_scheduler.hpp"

#include <algorithm>
#include <cmath>

namespace crawl::crawler {

using std::chrono::milliseconds;

host_scheduler::host_scheduler(std::size_t max_in_flight, std::size_t per_host, std::size_t max_waiting, politeness p)
    : max_in_flight_(max_in_flight), per_host_(per_host), max_waiting_(max_waiting), politeness_(p) {}

milliseconds host_scheduler::gap_of(const host_state& h) const {
  milliseconds by_rate{politeness_.rate > 0 ? static_cast<std::int64_t>(std::ceil(1000.0 / politeness_.rate)) : 0};
  return std::max({politeness_.delay, by_rate, h.crawl_delay, h.back_off});
}

milliseconds host_scheduler::gap(const std::string& host) const {
  auto it = hosts_.find(host);
  return it == hosts_.end() ? gap_of(host_state{}) : gap_of(it->second);
}

void host_scheduler::list(const std::string& name, host_state& h) {
  if (h.listed || h.queue.empty() || h.in_flight >= per_host_) return;
  h.listed = true;
  due_.emplace(h.next_start, name);  // a time already past is due at once, in the order listed
}

void host_scheduler::add(scheduled_url url) {
  std::string name = url.url.host;
  auto& h = hosts_[name];
  h.queue.push_back(std::move(url));
  ++waiting_;
  list(name, h);
}

std::optional<scheduled_url> host_scheduler::next(clock::time_point now) {
  sweep(now);
  while (in_flight_ < max_in_flight_) {
    while (!due_.empty() && due_.begin()->first <= now) {
      ready_.push_back(std::move(due_.begin()->second));
      due_.erase(due_.begin());
    }
    if (ready_.empty()) break;
    std::string name = std::move(ready_.front());
    ready_.pop_front();
    auto it = hosts_.find(name);
    if (it == hosts_.end()) continue;
    host_state& h = it->second;
    h.listed = false;
    if (h.next_start > now) {  // its gap widened since it was listed
      list(name, h);
      continue;
    }
    if (h.queue.empty() || h.in_flight >= per_host_) continue;
    scheduled_url url = std::move(h.queue.front());
    h.queue.pop_front();
    ++h.in_flight;
    ++in_flight_;
    --waiting_;
    h.next_start = now + gap_of(h);
    list(name, h);  // behind every host ready now: round-robin
    return url;
  }
  return std::nullopt;
}

std::optional<host_scheduler::clock::time_point> host_scheduler::next_due() const {
  // At the global cap a URL's end wakes the caller anyway; a due time
  // already past would only make it spin.
  if (in_flight_ >= max_in_flight_ || due_.empty()) return std::nullopt;
  return due_.begin()->first;
}

void host_scheduler::done(const std::string& name) {
  auto it = hosts_.find(name);
  if (it == hosts_.end() || it->second.in_flight == 0) return;
  host_state& h = it->second;
  --h.in_flight;
  --in_flight_;
  list(name, h);
  retire(name, h);
}

// An idle host is forgotten once nothing it holds matters: no URL, none in
// flight, its gap over (a new URL may start at once anyway) and no back-off
// to remember. Memory then follows the recently busy hosts, not every host seen.
void host_scheduler::retire(const std::string& name, const host_state& h) {
  if (h.in_flight || !h.queue.empty() || h.listed || h.back_off.count()) return;
  if (gap_of(h).count() == 0) hosts_.erase(name);
  else idle_.push_back(name);  // forgotten by sweep() once its gap is over
}

void host_scheduler::sweep(clock::time_point now) {
  while (!idle_.empty()) {
    auto it = hosts_.find(idle_.front());
    if (it != hosts_.end()) {
      const host_state& h = it->second;
      bool idle = !h.in_flight && h.queue.empty() && !h.listed;
      if (idle && h.back_off.count() == 0 && h.next_start > now) return;  // not yet; nor those behind it, mostly
      if (idle && h.back_off.count() == 0) hosts_.erase(it);
    }
    idle_.pop_front();
  }
}

void host_scheduler::overloaded(const std::string& name, clock::time_point now, std::optional<milliseconds> pause) {
  auto it = hosts_.find(name);
  if (it == hosts_.end() || !politeness_.back_off) return;
  host_state& h = it->second;
  ++back_offs_;
  milliseconds base = std::max(gap_of(host_state{}), milliseconds(1000));
  h.back_off = std::min(h.back_off.count() ? h.back_off * 2 : base, politeness_.max_back_off);
  h.next_start = std::max(h.next_start, now + h.back_off);
  if (pause) h.next_start = std::max(h.next_start, now + *pause);
}

void host_scheduler::answered(const std::string& name) {
  auto it = hosts_.find(name);
  if (it == hosts_.end() || it->second.back_off.count() == 0) return;
  milliseconds& b = it->second.back_off;
  b /= 2;
  if (b < milliseconds(100)) b = milliseconds(0);
}

host_scheduler::clock::time_point host_scheduler::reserve(const std::string& name, clock::time_point now) {
  auto it = hosts_.find(name);
  if (it == hosts_.end()) return now;
  host_state& h = it->second;
  milliseconds g = gap_of(h);
  if (g.count() == 0) return now;
  clock::time_point at = std::max(now, h.next_start);
  h.next_start = at + g;
  return at;
}

void host_scheduler::sent(const std::string& name, clock::time_point now) {
  auto it = hosts_.find(name);
  if (it == hosts_.end()) return;
  host_state& h = it->second;
  h.next_start = std::max(h.next_start, now + gap_of(h));
}

void host_scheduler::set_crawl_delay(const std::string& name, milliseconds delay) {
  auto it = hosts_.find(name);
  if (it != hosts_.end()) it->second.crawl_delay = delay;
}

}  // namespace crawl::crawler
