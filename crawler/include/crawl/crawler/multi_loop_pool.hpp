#pragma once
// The fetch engine's loops: one lane per network thread, each lane several
// multi_loops, and each host always on the same lane and loop.
//
// Lanes. Lane 0 runs on the caller's executor (the thread that drives the
// crawl); lanes 1..N-1 each own an io_context and a thread. A host's lane is
// shard_of_host(host, N), the hash the shards of a fleet use, so a host's
// connections and transfers stay on one thread while its politeness and
// robots state stay with the driver. Work given to a lane other than 0 must
// touch nothing of the caller's but through posts: the caller runs a page's
// transfer there with co_spawn(lane.executor, ...), and the sink and
// observer it passes are called on that thread.
//
// Why lanes (measured, 2 cores): a crawl of many hosts is bound by the one
// network thread: 200,000 URLs on as many hosts (refused at once) took
// 16.9 s on one lane, 10.5 s on two. In a latency-bound run (10,000 URLs
// over 100 loopback hosts answering after 1 s) the thread is busy 1.7 s,
// 57% of it the kernel's connect and loopback TCP, 18% libcurl, 10% malloc;
// two lanes moved that run only from ~2.1 to ~2.0 s, the server sharing
// the two cores. The caller decides when to spread hosts (crawl_run).
//
// Loops within a lane: libcurl 7.88 walks its whole connection cache in
// curl_multi_remove_handle whenever the finished transfer left its
// connection open (looking for connect-only connections to close). With
// 10,000 transfers in flight that walk is quadratic and was a third of a
// latency-bound crawl's CPU. Each multi handle has its own cache, so capping
// the transfers per handle caps the walk; connections are per host, so
// keeping a host on one handle loses no reuse.
#include "crawl/crawler/multi_loop.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

namespace crawl::crawler {

class multi_loop_pool {
 public:
  // Enough loops per lane that none carries more than `per_loop` of
  // `concurrency` (a lane may get every transfer: one host). `lanes` < 2:
  // everything on `executor`, as one thread.
  multi_loop_pool(boost::asio::any_io_executor executor, std::size_t concurrency, std::size_t lanes = 1,
                  std::size_t per_loop = 512);
  // Stops and joins the lanes' threads.
  ~multi_loop_pool();
  multi_loop_pool(const multi_loop_pool&) = delete;
  multi_loop_pool& operator=(const multi_loop_pool&) = delete;

  // Where a host's page transfers run, and the timer that stops their
  // retries (expired by stop_retries()).
  struct lane_ref {
    boost::asio::any_io_executor executor;
    multi_loop& loop;
    boost::asio::steady_timer& stop;
  };
  lane_ref lane_for(std::string_view host);
  // Lane 0's loop for the host, whatever its lane.
  lane_ref home_lane(std::string_view host);
  // A loop on the caller's executor for the host, for transfers whose sinks
  // touch the caller's state (robots.txt, sitemaps): the host's own loop
  // when its lane is 0.
  multi_loop& for_host(std::string_view host);

  std::size_t lanes() const { return lanes_.size(); }
  std::size_t size() const;  // loops in all lanes
  // Transfers in progress. With several lanes, call only after join().
  std::size_t running() const;
  // Ends every transfer, on each lane's own thread (posted; lane 0 at once).
  void abort_all();
  // Expires every lane's stop timer (posted; lane 0 at once).
  void stop_retries();
  // multi_loop::use_share() for every loop. With several lanes the share
  // must lock (several threads use it). Call before any transfer.
  void use_share(CURLSH* share);
  // Stops the lanes' threads and waits for them: call once every transfer
  // has completed (or from the destructor).
  void join();

 private:
  struct lane {
    std::unique_ptr<boost::asio::io_context> context;  // null for lane 0
    boost::asio::any_io_executor executor;
    std::vector<std::unique_ptr<multi_loop>> loops;
    std::unique_ptr<boost::asio::steady_timer> stop;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
    std::thread thread;
  };
  multi_loop& loop_of(lane& l, std::string_view host);
  lane& lane_of(std::string_view host);
  lane_ref ref_of(lane& l, std::string_view host);
  void on_each_lane(const std::function<void(lane&)>& work);

  std::vector<std::unique_ptr<lane>> lanes_;
};

}  // namespace crawl::crawler
