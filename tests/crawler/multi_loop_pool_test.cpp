// multi_loop_pool: enough loops for the concurrency, a host always on the
// same lane and loop, running()/abort_all()/stop_retries() covering every
// loop, and transfers on lanes' own threads.
#include "crawl/crawler/multi_loop_pool.hpp"
#include "crawl/crawler/shard.hpp"
#include "fetch_support.hpp"
#include "test_http_server.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/executor_work_guard.hpp>

#include <set>

using namespace crawl::crawler;
using namespace crawl::test;

TEST_CASE("a pool has enough loops for its concurrency and keeps each host on one", "[multi_loop][pool]") {
  boost::asio::io_context io;
  CHECK(multi_loop_pool(io.get_executor(), 100).size() == 1);
  CHECK(multi_loop_pool(io.get_executor(), 0).size() == 1);
  CHECK(multi_loop_pool(io.get_executor(), 10000).size() == 20);
  multi_loop_pool pool(io.get_executor(), 40, 1, 10);
  REQUIRE(pool.size() == 4);
  std::set<multi_loop*> used;
  for (int i = 0; i < 64; ++i) {
    std::string host = "host" + std::to_string(i) + ".example";
    multi_loop* first = &pool.for_host(host);
    CHECK(first == &pool.for_host(host));
    used.insert(first);
  }
  CHECK(used.size() == 4);  // 64 hosts spread over every loop
}

TEST_CASE("transfers through a pool are counted and aborted on every loop", "[multi_loop][pool]") {
  auto servers = servers_on_hosts(6);  // one stalling server per host
  boost::asio::io_context io;
  multi_loop_pool pool(io.get_executor(), 8, 1, 2);
  boost::asio::steady_timer shutdown(io, std::chrono::steady_clock::time_point::max());
  request_options options;
  retry_policy policy = fast_retries(0);
  std::set<multi_loop*> loops;
  std::vector<recording_sink> sinks(servers.size());
  std::vector<fetch_result> results(servers.size());
  std::size_t done = 0;
  for (std::size_t i = 0; i < servers.size(); ++i) {
    sinks[i].io = &io;
    auto target = normalize_url(servers[i]->url("/stall")).url.value();
    multi_loop* loop = &pool.for_host(target.host);
    loops.insert(loop);
    boost::asio::co_spawn(
        io,
        [&, i, target, loop]() -> boost::asio::awaitable<void> {
          results[i] = co_await fetch(*loop, target, options, policy, sinks[i], shutdown);
          ++done;
        },
        [](std::exception_ptr e) { if (e) std::rethrow_exception(e); });
  }
  REQUIRE(loops.size() > 1);
  // Let every transfer reach its stalled server, then abort them all.
  for (int i = 0; i < 300 && servers[0]->total_requests() + servers[5]->total_requests() < 2; ++i)
    io.run_for(std::chrono::milliseconds(10));
  REQUIRE(servers[0]->total_requests() + servers[5]->total_requests() >= 2);
  CHECK(pool.running() == servers.size());
  CHECK(done == 0);
  pool.abort_all();
  for (int i = 0; i < 500 && done < servers.size(); ++i) io.run_for(std::chrono::milliseconds(10));
  CHECK(done == servers.size());
  CHECK(pool.running() == 0);
  for (const auto& r : results) CHECK(r.status != fetch_status::ok);
}

TEST_CASE("hosts go to lanes by the shard hash and lane 0 runs on the caller's executor", "[multi_loop][pool]") {
  boost::asio::io_context io;
  multi_loop_pool pool(io.get_executor(), 40, 3, 10);
  REQUIRE(pool.lanes() == 3);
  CHECK(pool.size() == 12);  // each lane sized for the whole concurrency: one host may take it all
  std::set<std::uint32_t> lanes_used;
  for (int i = 0; i < 64; ++i) {
    std::string host = "host" + std::to_string(i) + ".example";
    auto lane = pool.lane_for(host);
    CHECK(&lane.loop == &pool.lane_for(host).loop);
    std::uint32_t shard = shard_of_host(host, 3);
    lanes_used.insert(shard);
    CHECK((lane.executor == io.get_executor()) == (shard == 0));
    // Lane 0's loop for the host: what robots.txt and sitemaps use.
    CHECK(&pool.home_lane(host).loop == &pool.for_host(host));
    CHECK(pool.home_lane(host).executor == io.get_executor());
    if (shard == 0) CHECK(&lane.loop == &pool.for_host(host));
  }
  CHECK(lanes_used.size() == 3);
}

namespace {
// Runs fetches of `targets` on their lanes; results come back to `io`'s thread.
struct lane_fetches {
  lane_fetches(boost::asio::io_context& io, multi_loop_pool& pool)
      : io(io), pool(pool), guard(boost::asio::make_work_guard(io)) {}
  boost::asio::io_context& io;
  multi_loop_pool& pool;
  // io runs out of work while the lanes work: without this it would stop,
  // and their results posted to it would never run.
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard;
  request_options options;
  retry_policy policy = fast_retries(0);
  std::vector<recording_sink> sinks;
  std::vector<fetch_result> results;
  std::set<const multi_loop*> loops;
  std::size_t done = 0;
  // What the fetches refer to while they run (a coroutine's reference parameters).
  std::vector<normalized_url> targets;
  attempt_observer observe;

  void start(std::vector<normalized_url> urls) {
    targets = std::move(urls);
    sinks.resize(targets.size());
    results.resize(targets.size());
    for (std::size_t i = 0; i < targets.size(); ++i) {
      auto lane = pool.lane_for(targets[i].host);
      loops.insert(&lane.loop);
      sinks[i].io = &io;
      sinks[i].resume_on = lane.executor;
      boost::asio::co_spawn(lane.executor,
                            fetch(lane.loop, targets[i], options, policy, sinks[i], lane.stop, nullptr, observe),
                            [this, i](std::exception_ptr e, fetch_result r) {
                              if (e) std::rethrow_exception(e);
                              boost::asio::post(io, [this, i, r = std::move(r)]() mutable {
                                results[i] = std::move(r);
                                ++done;
                              });
                            });
    }
  }
  void wait(std::size_t n, int rounds = 500) {
    for (int i = 0; i < rounds && done < n; ++i) io.run_for(std::chrono::milliseconds(10));
  }
};

std::vector<normalized_url> urls_of(const host_servers& all, const std::string& path) {
  std::vector<normalized_url> targets;
  for (const auto& s : all) targets.push_back(normalize_url(s->url(path)).url.value());
  return targets;
}

// Runs io (bounded) until every server has had one request.
bool every_server_asked(boost::asio::io_context& io, const host_servers& all) {
  std::uint64_t requests = 0;
  for (int i = 0; i < 300 && requests < all.size(); ++i) {
    io.run_for(std::chrono::milliseconds(10));
    requests = 0;
    for (const auto& s : all) requests += s->total_requests();
  }
  return requests == all.size();
}
}  // namespace

TEST_CASE("transfers run on their lanes' threads and abort_all reaches every lane", "[multi_loop][pool]") {
  auto hosts = servers_on_hosts(6);
  boost::asio::io_context io;
  multi_loop_pool pool(io.get_executor(), 8, 3);
  lane_fetches run(io, pool);
  run.start(urls_of(hosts, "/stall"));
  std::set<std::uint32_t> lanes;
  for (const auto& url : run.targets) lanes.insert(shard_of_host(url.host, 3));
  REQUIRE(lanes.size() > 1);
  REQUIRE(every_server_asked(io, hosts));
  CHECK(run.done == 0);
  pool.abort_all();
  run.wait(hosts.size());
  CHECK(run.done == hosts.size());
  for (const auto& r : run.results) {
    INFO(r.reason << ": " << r.error);
    CHECK(r.status == fetch_status::interrupted);
  }
  pool.join();
  CHECK(pool.running() == 0);
}

TEST_CASE("stop_retries ends the retry waits on every lane", "[multi_loop][pool]") {
  auto hosts = servers_on_hosts(6);
  boost::asio::io_context io;
  multi_loop_pool pool(io.get_executor(), 8, 3);
  lane_fetches run(io, pool);
  run.policy.retries = 5;
  run.policy.base_delay = std::chrono::seconds(30);  // far longer than the test waits
  run.start(urls_of(hosts, "/status/503"));
  REQUIRE(every_server_asked(io, hosts));  // each had its first answer and waits to retry
  pool.stop_retries();
  run.wait(hosts.size());
  REQUIRE(run.done == hosts.size());
  for (const auto& r : run.results) {
    CHECK(r.status == fetch_status::interrupted);
    CHECK(r.attempts == 1);
  }
}
