// crawler/url_feed: batches from a reading thread to the loop, bounded, and
// a stop that never leaves the loop with work it cannot finish.
#include "crawl/crawler/url_feed.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <fstream>

using namespace crawl::crawler;
namespace asio = boost::asio;

namespace {
int open_list(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("crawl-feed-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path) << text;
  return ::open(path.c_str(), O_RDONLY);
}

std::string numbered_urls(int n, int duplicate_every = 0) {
  std::string text;
  for (int i = 0; i < n; ++i) {
    text += "http://h.test/" + std::to_string(i) + "\n";
    if (duplicate_every && i % duplicate_every == 0) text += "http://h.test/" + std::to_string(i) + "\n";
  }
  return text;
}
}  // namespace

TEST_CASE("url feed: every line arrives once, in batches, with the duplicates counted", "[url_feed]") {
  asio::io_context io;
  url_feed feed(open_list("all", numbered_urls(1000, 10) + "not a url\n"), io.get_executor());
  std::uint64_t urls = 0, bad = 0, duplicates = 0, batches = 0;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    while (auto batch = co_await feed.next()) {
      ++batches;
      CHECK(batch->lines.size() <= url_batch_size);
      for (const auto& line : batch->lines) (line.url ? urls : bad)++;
      duplicates += batch->duplicates;
    }
  }, [](std::exception_ptr e) { if (e) std::rethrow_exception(e); });
  io.run();
  CHECK(urls == 1000);
  CHECK(bad == 1);
  CHECK(duplicates == 100);
  CHECK(batches >= 4);
}

TEST_CASE("url feed: stop while the reader waits on a full queue ends the loop's work", "[url_feed]") {
  asio::io_context io;
  // Far more than the queue holds: the reading thread blocks on it.
  url_feed feed(open_list("stop", numbered_urls(20000)), io.get_executor());
  int taken = 0;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    auto first = co_await feed.next();
    REQUIRE(first);
    ++taken;
    // Let the reader fill the queue and block, then stop.
    asio::steady_timer pause(io, std::chrono::milliseconds(100));
    co_await pause.async_wait(asio::use_awaitable);
    feed.stop();
    CHECK_FALSE(co_await feed.next());
  }, [](std::exception_ptr e) { if (e) std::rethrow_exception(e); });
  io.run();  // returns: nothing of the feed is left pending (a blocked channel send once was, for ever)
  CHECK(taken == 1);
}

TEST_CASE("url feed: stop while the loop waits for a batch wakes it with nothing", "[url_feed]") {
  asio::io_context io;
  int fds[2];
  REQUIRE(::pipe(fds) == 0);  // a list that never comes: nothing is written
  url_feed feed(fds[0], io.get_executor());
  bool ended = false;
  asio::steady_timer later(io, std::chrono::milliseconds(50));
  later.async_wait([&](boost::system::error_code) { feed.stop(); });
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    ended = !(co_await feed.next());
  }, [](std::exception_ptr e) { if (e) std::rethrow_exception(e); });
  io.run();
  CHECK(ended);
  ::close(fds[1]);  // the reading thread, blocked in read(), ends now
}

TEST_CASE("url feed: several lists and URLs in order, each batch naming its source, duplicates across them dropped",
          "[url_feed]") {
  asio::io_context io;
  std::string first = numbered_urls(300);
  std::vector<url_source> sources{
      url_source{"http://h.test/seed", -1},
      url_source{{}, open_list("first", first)},
      url_source{"http://h.test/5", -1},  // already in the first list
      url_source{{}, open_list("second", "http://h.test/299\nhttp://h.test/new\nbad line\n")},
      url_source{"not a url", -1},
  };
  url_feed feed(std::move(sources), io.get_executor());
  std::map<std::size_t, std::uint64_t> urls_from, bad_from;
  std::uint64_t duplicates = 0, last_offset = 0;
  std::vector<std::size_t> order;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    while (auto batch = co_await feed.next()) {
      if (order.empty() || order.back() != batch->source) order.push_back(batch->source);
      for (const auto& line : batch->lines) (line.url ? urls_from : bad_from)[batch->source]++;
      duplicates += batch->duplicates;
      CHECK(batch->list_offset >= last_offset);  // bytes of all the lists so far: it only grows
      last_offset = batch->list_offset;
    }
  }, [](std::exception_ptr e) { if (e) std::rethrow_exception(e); });
  io.run();
  CHECK(order == std::vector<std::size_t>{0, 1, 2, 3, 4});
  CHECK(urls_from[0] == 1);
  CHECK(urls_from[1] == 300);
  CHECK(urls_from[2] == 0);
  CHECK(urls_from[3] == 1);  // only /new
  CHECK(bad_from[3] == 1);
  CHECK(bad_from[4] == 1);
  CHECK(duplicates == 2);
  CHECK(last_offset == first.size() + std::string("http://h.test/299\nhttp://h.test/new\nbad line\n").size());
}
