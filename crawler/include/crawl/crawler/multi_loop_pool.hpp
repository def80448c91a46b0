#pragma once
// Several multi_loops on one executor, each host always on the same one.
//
// Why: libcurl 7.88 walks its whole connection cache in
// curl_multi_remove_handle whenever the finished transfer left its
// connection open (looking for connect-only connections to close). With
// 10,000 transfers in flight that walk is quadratic and was a third of a
// latency-bound crawl's CPU. Each multi handle has its own cache, so capping
// the transfers per handle caps the walk; connections are per host, so
// keeping a host on one handle loses no reuse.
#include "crawl/crawler/multi_loop.hpp"

#include <memory>
#include <string_view>
#include <vector>

namespace crawl::crawler {

class multi_loop_pool {
 public:
  // Enough loops that none carries more than `per_loop` of `concurrency`.
  multi_loop_pool(boost::asio::any_io_executor executor, std::size_t concurrency, std::size_t per_loop = 512);

  multi_loop& for_host(std::string_view host);
  std::size_t size() const { return loops_.size(); }
  std::size_t running() const;
  void abort_all();
  // multi_loop::use_share() for every loop.
  void use_share(CURLSH* share) {
    for (auto& loop : loops_) loop->use_share(share);
  }

 private:
  std::vector<std::unique_ptr<multi_loop>> loops_;
};

}  // namespace crawl::crawler
