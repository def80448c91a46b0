// The curl/Asio bridge under load: thousands of transfers through one
// multi_loop, and twenty thousand through a pool of lanes (threads) and
// loops, with resets, stalls, refused connections and pauses mixed in.
// Every transfer must complete exactly once with the expected outcome.
#include "fetch_support.hpp"
#include "test_http_server.hpp"

#include "crawl/crawler/multi_loop_pool.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <set>

using namespace crawl::crawler;
using namespace crawl::test;

namespace {

enum class expect { ok, reset, stall, refused, not_found };

struct job {
  std::string url;
  expect what;
  unsigned page = 0;
};

std::vector<job> make_jobs(const test_http_server& server, unsigned short refused, int count) {
  std::vector<job> jobs;
  for (int i = 0; i < count; ++i) {
    if (i % 97 == 0) jobs.push_back({server.url("/reset"), expect::reset});
    else if (i % 211 == 0) jobs.push_back({server.url("/stall"), expect::stall});
    else if (i % 101 == 0) jobs.push_back({"http://127.0.0.1:" + std::to_string(refused) + "/", expect::refused});
    else if (i % 53 == 0) jobs.push_back({server.url("/status/404"), expect::not_found});
    else jobs.push_back({server.url("/count/" + std::to_string(i)), expect::ok, static_cast<unsigned>(i)});
  }
  return jobs;
}

void check_outcome(const job& j, const fetch_result& r, const recording_sink& sink) {
  switch (j.what) {
    case expect::ok:
      REQUIRE(r.status == fetch_status::ok);
      REQUIRE(sink.body.find(count_page_words(j.page)) != std::string::npos);
      break;
    case expect::reset: REQUIRE(r.reason == "connection"); break;
    case expect::stall: REQUIRE(r.reason == "timeout"); break;
    case expect::refused: REQUIRE(r.reason == "connect"); break;
    case expect::not_found: REQUIRE(r.reason == "http 404"); break;
  }
}

}  // namespace

TEST_CASE("thousands of transfers with faults all complete once, as expected", "[multi_loop][stress]") {
  test_http_server server;
  unsigned short refused = refused_port();
  auto jobs = make_jobs(server, refused, 3000);
  boost::asio::io_context io;
  multi_loop loop(io.get_executor());
  boost::asio::steady_timer shutdown(io, std::chrono::steady_clock::time_point::max());
  request_options options;
  options.timeout = std::chrono::milliseconds(1500);
  retry_policy policy = fast_retries(0);

  std::vector<int> completions(jobs.size(), 0);
  std::vector<fetch_result> results(jobs.size());
  std::vector<recording_sink> sinks(jobs.size());
  std::size_t next = 0, in_flight = 0;
  constexpr std::size_t max_in_flight = 300;

  std::function<void()> refill = [&] {
    while (in_flight < max_in_flight && next < jobs.size()) {
      std::size_t i = next++;
      ++in_flight;
      sinks[i].io = &io;
      sinks[i].pause_every_other = (i % 5 == 0);
      boost::asio::co_spawn(
          io,
          [&, i]() -> boost::asio::awaitable<void> {
            auto target = normalize_url(jobs[i].url).url.value();
            results[i] = co_await fetch(loop, target, options, policy, sinks[i], shutdown);
            ++completions[i];
            --in_flight;
            refill();
          },
          [](std::exception_ptr e) { if (e) std::rethrow_exception(e); });
    }
  };
  refill();
  io.run();

  CHECK(loop.running() == 0);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    INFO("job " << i << " " << jobs[i].url << " error " << results[i].error);
    REQUIRE(completions[i] == 1);
    check_outcome(jobs[i], results[i], sinks[i]);
  }
}

TEST_CASE("twenty thousand transfers with faults across several lanes and loops all complete once", "[multi_loop][stress]") {
  // Four hosts, so the transfers spread over the lanes' threads; several
  // loops per lane.
  auto servers = servers_on_hosts(4);
  unsigned short refused = refused_port();
  std::vector<job> jobs;
  for (std::size_t s = 0; s < servers.size(); ++s)
    for (auto& j : make_jobs(*servers[s], refused, 5000)) jobs.push_back(std::move(j));
  constexpr std::size_t max_in_flight = 600;
  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);  // the lanes report to io while it has nothing else to do
  multi_loop_pool pool(io.get_executor(), max_in_flight, 3, 100);
  REQUIRE(pool.size() == 18);
  request_options options;
  options.timeout = std::chrono::milliseconds(1500);
  retry_policy policy = fast_retries(0);
  attempt_observer observe;

  std::vector<normalized_url> targets;
  for (const auto& j : jobs) targets.push_back(normalize_url(j.url).url.value());
  std::set<const multi_loop*> loops_used;
  std::vector<int> completions(jobs.size(), 0);
  std::vector<fetch_result> results(jobs.size());
  std::vector<recording_sink> sinks(jobs.size());
  std::size_t next = 0, in_flight = 0, finished = 0;

  std::function<void()> refill = [&] {
    while (in_flight < max_in_flight && next < jobs.size()) {
      // Interleave the hosts: job k of each server in turn.
      std::size_t n = next++;
      std::size_t i = (n % servers.size()) * 5000 + n / servers.size();
      ++in_flight;
      auto lane = pool.lane_for(targets[i].host);
      loops_used.insert(&lane.loop);
      sinks[i].io = &io;
      sinks[i].resume_on = lane.executor;
      sinks[i].pause_every_other = (i % 5 == 0);
      boost::asio::co_spawn(lane.executor,
                            fetch(lane.loop, targets[i], options, policy, sinks[i], lane.stop, nullptr, observe),
                            [&, i](std::exception_ptr e, fetch_result r) {
                              if (e) std::rethrow_exception(e);
                              boost::asio::post(io, [&, i, r = std::move(r)]() mutable {
                                results[i] = std::move(r);
                                ++completions[i];
                                --in_flight;
                                ++finished;
                                refill();
                              });
                            });
    }
  };
  refill();
  for (int round = 0; round < 12000 && finished < jobs.size(); ++round) io.run_for(std::chrono::milliseconds(10));
  pool.join();

  CHECK(loops_used.size() > 3);  // more than one lane's loops
  CHECK(pool.running() == 0);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    INFO("job " << i << " " << jobs[i].url << " error " << results[i].error);
    REQUIRE(completions[i] == 1);
    check_outcome(jobs[i], results[i], sinks[i]);
  }
}
