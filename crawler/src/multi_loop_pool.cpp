#include "crawl/crawler/multi_loop_pool.hpp"

#include <algorithm>
#include <functional>

namespace crawl::crawler {

multi_loop_pool::multi_loop_pool(boost::asio::any_io_executor executor, std::size_t concurrency,
                                 std::size_t per_loop) {
  per_loop = std::max<std::size_t>(per_loop, 1);
  std::size_t count = std::max<std::size_t>((concurrency + per_loop - 1) / per_loop, 1);
  std::size_t share = (concurrency + count - 1) / count;
  for (std::size_t i = 0; i < count; ++i) loops_.push_back(std::make_unique<multi_loop>(executor, share));
}

multi_loop& multi_loop_pool::for_host(std::string_view host) {
  if (loops_.size() == 1) return *loops_.front();
  return *loops_[std::hash<std::string_view>{}(host) % loops_.size()];
}

std::size_t multi_loop_pool::running() const {
  std::size_t n = 0;
  for (const auto& loop : loops_) n += loop->running();
  return n;
}

void multi_loop_pool::abort_all() {
  for (auto& loop : loops_) loop->abort_all();
}

}  // namespace crawl::crawler
