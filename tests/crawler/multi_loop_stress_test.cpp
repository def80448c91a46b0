// The curl/Asio bridge under load: thousands of transfers through one
// multi_loop, with resets, stalls, refused connections and pauses mixed in.
// Every transfer must complete exactly once with the expected outcome.
#include "fetch_support.hpp"
#include "test_http_server.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

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
    const auto& r = results[i];
    switch (jobs[i].what) {
      case expect::ok:
        REQUIRE(r.status == fetch_status::ok);
        REQUIRE(sinks[i].body.find(count_page_words(jobs[i].page)) != std::string::npos);
        break;
      case expect::reset: REQUIRE(r.reason == "connection"); break;
      case expect::stall: REQUIRE(r.reason == "timeout"); break;
      case expect::refused: REQUIRE(r.reason == "connect"); break;
      case expect::not_found: REQUIRE(r.reason == "http 404"); break;
    }
  }
}
