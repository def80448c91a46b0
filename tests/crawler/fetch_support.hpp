#pragma once
// Runs crawler::fetch on a private io_context for the tests.
#include "crawl/crawler/fetch.hpp"
#include "test_http_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace crawl::test {

// Takes every 2xx body except images; can pause every other delivery.
struct recording_sink : crawler::body_sink {
  std::string body;
  std::string content_type;
  std::int64_t content_length = -2;  // as on_head() was told (-2: never called)
  int discards = 0;
  int pauses = 0;
  bool pause_every_other = false;
  std::function<void()> resume;
  boost::asio::io_context* io = nullptr;
  boost::asio::any_io_executor resume_on;  // where resume() is posted when set (a lane's thread), else io

  bool on_head(const crawler::response_head& head, std::function<void()> r) override {
    content_type = std::string(head.content_type);
    content_length = head.content_length;
    resume = std::move(r);
    body.clear();
    return content_type.rfind("image/", 0) != 0;
  }
  bool on_body(std::string_view bytes) override {
    if (pause_every_other && (++calls % 2 == 1)) {
      ++pauses;
      // Resume later, from the loop, as the app does when its channel drains.
      if (resume_on) boost::asio::post(resume_on, [this] { resume(); });
      else boost::asio::post(*io, [this] { resume(); });
      return false;
    }
    body.append(bytes);
    return true;
  }
  void on_discard() override {
    ++discards;
    body.clear();
  }
  int calls = 0;
};

// One test server per host, 127.0.0.1 to 127.0.0.n: every 127/8 address is loopback.
using host_servers = std::vector<std::unique_ptr<test_http_server>>;
inline host_servers servers_on_hosts(int n) {
  host_servers all;
  for (int i = 1; i <= n; ++i) all.push_back(std::make_unique<test_http_server>("127.0.0." + std::to_string(i)));
  return all;
}

inline crawler::retry_policy fast_retries(int retries = 2) {
  crawler::retry_policy p;
  p.retries = retries;
  p.base_delay = std::chrono::milliseconds(10);
  return p;
}

inline crawler::fetch_result run_fetch(const std::string& url, recording_sink& sink,
                                       crawler::request_options options = {},
                                       crawler::retry_policy policy = fast_retries(),
                                       std::optional<std::chrono::milliseconds> stop_after = std::nullopt) {
  boost::asio::io_context io;
  sink.io = &io;
  crawler::multi_loop loop(io.get_executor());
  boost::asio::steady_timer shutdown(io, std::chrono::steady_clock::time_point::max());
  // The run stops (as on SIGTERM) after `stop_after`.
  boost::asio::steady_timer stop(io, stop_after.value_or(std::chrono::hours(1)));
  if (stop_after)
    stop.async_wait([&](boost::system::error_code ec) {
      if (!ec) shutdown.expires_at(std::chrono::steady_clock::time_point::min());
    });
  auto target = crawler::normalize_url(url).url.value();
  crawler::fetch_result out;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        out = co_await crawler::fetch(loop, target, options, policy, sink, shutdown);
        stop.cancel();
      },
      [](std::exception_ptr e) { if (e) std::rethrow_exception(e); });
  io.run();
  return out;
}

}  // namespace crawl::test
