#include "crawl/crawler/multi_loop_pool.hpp"

#include "crawl/crawler/shard.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <functional>

namespace crawl::crawler {

namespace asio = boost::asio;

multi_loop_pool::multi_loop_pool(asio::any_io_executor executor, std::size_t concurrency, std::size_t lanes,
                                 std::size_t per_loop) {
  per_loop = std::max<std::size_t>(per_loop, 1);
  std::size_t count = std::max<std::size_t>((concurrency + per_loop - 1) / per_loop, 1);
  std::size_t share = (concurrency + count - 1) / count;
  lanes = std::max<std::size_t>(lanes, 1);
  for (std::size_t i = 0; i < lanes; ++i) {
    auto l = std::make_unique<lane>();
    if (i == 0) {
      l->executor = executor;
    } else {
      l->context = std::make_unique<asio::io_context>(1);
      l->executor = l->context->get_executor();
      l->work.emplace(l->context->get_executor());
    }
    for (std::size_t j = 0; j < count; ++j) l->loops.push_back(std::make_unique<multi_loop>(l->executor, share));
    l->stop = std::make_unique<asio::steady_timer>(l->executor, std::chrono::steady_clock::time_point::max());
    lanes_.push_back(std::move(l));
  }
  for (auto& l : lanes_)
    if (l->context) l->thread = std::thread([ctx = l->context.get()] { ctx->run(); });
}

multi_loop_pool::~multi_loop_pool() { join(); }

// Called once every transfer has completed: a lane's io_context may still
// wait on a timer or an idle connection of libcurl's, so it is stopped, not
// left to run out of work.
void multi_loop_pool::join() {
  for (auto& l : lanes_) {
    l->work.reset();
    if (l->context) l->context->stop();
  }
  for (auto& l : lanes_)
    if (l->thread.joinable()) l->thread.join();
}

multi_loop_pool::lane& multi_loop_pool::lane_of(std::string_view host) {
  if (lanes_.size() == 1) return *lanes_.front();
  return *lanes_[shard_of_host(host, static_cast<std::uint32_t>(lanes_.size()))];
}

// Within a lane, the hash's high bits: independent of the lane (its low bits).
multi_loop& multi_loop_pool::loop_of(lane& l, std::string_view host) {
  if (l.loops.size() == 1) return *l.loops.front();
  return *l.loops[(stable_hash(host) >> 32) % l.loops.size()];
}

multi_loop_pool::lane_ref multi_loop_pool::ref_of(lane& l, std::string_view host) {
  return lane_ref{l.executor, loop_of(l, host), *l.stop};
}

multi_loop_pool::lane_ref multi_loop_pool::lane_for(std::string_view host) { return ref_of(lane_of(host), host); }

multi_loop_pool::lane_ref multi_loop_pool::home_lane(std::string_view host) { return ref_of(*lanes_.front(), host); }

multi_loop& multi_loop_pool::for_host(std::string_view host) { return loop_of(*lanes_.front(), host); }

std::size_t multi_loop_pool::size() const {
  std::size_t n = 0;
  for (const auto& l : lanes_) n += l->loops.size();
  return n;
}

std::size_t multi_loop_pool::running() const {
  std::size_t n = 0;
  for (const auto& l : lanes_)
    for (const auto& loop : l->loops) n += loop->running();
  return n;
}

// `work` runs for each lane on the lane's own thread: posted there, or at
// once for lane 0 (the caller's).
void multi_loop_pool::on_each_lane(const std::function<void(lane&)>& work) {
  for (auto& l : lanes_) {
    if (l->context) asio::post(l->executor, [work, lp = l.get()] { work(*lp); });
    else work(*l);
  }
}

void multi_loop_pool::abort_all() {
  on_each_lane([](lane& l) {
    for (auto& loop : l.loops) loop->abort_all();
  });
}

void multi_loop_pool::stop_retries() {
  on_each_lane([](lane& l) { l.stop->expires_at(std::chrono::steady_clock::time_point::min()); });
}

void multi_loop_pool::use_share(CURLSH* share) {
  for (auto& l : lanes_)
    for (auto& loop : l->loops) loop->use_share(share);
}

}  // namespace crawl::crawler
