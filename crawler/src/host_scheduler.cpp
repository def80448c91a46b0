#include "crawl/crawler/host_scheduler.hpp"

namespace crawl::crawler {

host_scheduler::host_scheduler(std::size_t max_in_flight, std::size_t per_host, std::size_t max_waiting)
    : max_in_flight_(max_in_flight), per_host_(per_host), max_waiting_(max_waiting) {}

void host_scheduler::add(scheduled_url url) {
  auto& host = hosts_[url.url.host];
  if (host.queue.empty() && host.in_flight < per_host_) ready_hosts_.push_back(url.url.host);
  host.queue.push_back(std::move(url));
  ++waiting_;
}

std::optional<scheduled_url> host_scheduler::next() {
  while (in_flight_ < max_in_flight_ && !ready_hosts_.empty()) {
    std::string name = std::move(ready_hosts_.front());
    ready_hosts_.pop_front();
    auto it = hosts_.find(name);
    if (it == hosts_.end() || it->second.queue.empty() || it->second.in_flight >= per_host_) continue;
    host_state& host = it->second;
    scheduled_url url = std::move(host.queue.front());
    host.queue.pop_front();
    ++host.in_flight;
    ++in_flight_;
    --waiting_;
    if (!host.queue.empty() && host.in_flight < per_host_) ready_hosts_.push_back(name);
    return url;
  }
  return std::nullopt;
}

void host_scheduler::done(const std::string& name) {
  auto it = hosts_.find(name);
  if (it == hosts_.end() || it->second.in_flight == 0) return;
  host_state& host = it->second;
  --host.in_flight;
  --in_flight_;
  if (host.queue.empty()) {
    if (host.in_flight == 0) hosts_.erase(it);
  } else if (host.in_flight + 1 == per_host_) {
    ready_hosts_.push_back(name);  // it was full; now it has a slot
  }
}

}  // namespace crawl::crawler
