// multi_loop_pool: enough loops for the concurrency, a host always on the
// same loop, and running()/abort_all() covering every loop.
#include "crawl/crawler/multi_loop_pool.hpp"
#include "fetch_support.hpp"
#include "test_http_server.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace crawl::crawler;
using namespace crawl::test;

TEST_CASE("a pool has enough loops for its concurrency and keeps each host on one", "[multi_loop][pool]") {
  boost::asio::io_context io;
  CHECK(multi_loop_pool(io.get_executor(), 100).size() == 1);
  CHECK(multi_loop_pool(io.get_executor(), 0).size() == 1);
  CHECK(multi_loop_pool(io.get_executor(), 10000).size() == 20);
  multi_loop_pool pool(io.get_executor(), 40, 10);
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
  // One stalling server per host: every 127/8 address is loopback.
  std::vector<std::unique_ptr<test_http_server>> servers;
  for (int i = 1; i <= 6; ++i) servers.push_back(std::make_unique<test_http_server>("127.0.0." + std::to_string(i)));
  boost::asio::io_context io;
  multi_loop_pool pool(io.get_executor(), 8, 2);
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
