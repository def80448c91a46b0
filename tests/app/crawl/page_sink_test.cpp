#include "crawl/page_sink.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <optional>
#include <string>

using namespace crawl;
using crawl::app::page_outcome;

namespace {

// `words` words of 7 bytes and a space each, as an HTML page.
std::string page_of(std::size_t words) {
  std::string body = "<!doctype html><html><body><p>";
  for (std::size_t i = 0; i < words; ++i) body += "wordxyz ";
  return body + "</p></body></html>";
}

struct harness {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard{io.get_executor()};
  app::worker_pool workers;
  std::shared_ptr<app::page_sink> sink;

  explicit harness(unsigned threads)
      : workers(threads, io, [](std::exception_ptr e) { std::rethrow_exception(e); }),
        sink(std::make_shared<app::page_sink>(workers,
                                              std::make_shared<const pipeline::token_rules>(pipeline::tokenizer_options{}),
                                              io.get_executor(), app::page_sink::reading{})) {}

  // Feeds `body` in writes of `write` bytes, as libcurl does, taking each
  // write again after a pause (as a resumed transfer is given it again).
  void deliver(const std::string& body, std::int64_t announced, std::size_t write = 16 * 1024) {
    REQUIRE(sink->on_head(crawler::response_head{200, "text/html", announced}, [] {}));
    for (std::size_t at = 0; at < body.size();) {
      std::string_view piece = std::string_view(body).substr(at, write);
      if (sink->on_body(piece)) at += piece.size();
      else io.run_for(std::chrono::milliseconds(10));  // let the workers catch up
    }
  }

  // Commits the page and runs until its outcome is back.
  std::optional<page_outcome> commit() {
    std::optional<page_outcome> got;
    if (!sink->commit([&](page_outcome o) { got = std::move(o); })) return got;
    for (int i = 0; i < 500 && !got; ++i) io.run_for(std::chrono::milliseconds(10));
    return got;
  }

  ~harness() { workers.join(); }
};

}  // namespace

TEST_CASE("a page sink counts every word whatever Content-Length announced", "[page_sink]") {
  unsigned threads = GENERATE(1u, 2u);
  // One chunk, about three chunks, and a page cut in writes that straddle chunk ends.
  std::size_t words = GENERATE(std::size_t{100}, std::size_t{25'000});
  std::string body = page_of(words);
  auto size = static_cast<std::int64_t>(body.size());
  // The true length, none, too little (a decoded gzip body is larger), too much (a lying server).
  std::int64_t announced = GENERATE_COPY(size, std::int64_t{-1}, size / 3, size * 4);
  INFO("threads " << threads << ", words " << words << ", announced " << announced);
  harness h(threads);
  h.deliver(body, announced, 10'000);
  auto outcome = h.commit();
  REQUIRE(outcome);
  CHECK(outcome->words == words);
  CHECK(h.workers.take_totals().get("wordxyz") == words);
}

TEST_CASE("a page sink's discarded attempt counts nothing and the next attempt counts once", "[page_sink]") {
  harness h(2);
  std::string body = page_of(20'000);
  h.deliver(body.substr(0, 100'000), static_cast<std::int64_t>(body.size()));
  h.sink->on_discard();  // the connection broke half-way: the retry starts over
  h.deliver(body, static_cast<std::int64_t>(body.size()));
  auto outcome = h.commit();
  REQUIRE(outcome);
  CHECK(outcome->words == 20'000);
  CHECK(h.workers.take_totals().get("wordxyz") == 20'000);
}

TEST_CASE("a page sink given no body has nothing to commit", "[page_sink]") {
  harness h(2);
  CHECK_FALSE(h.commit().has_value());  // libcurl never called the write callback: no head, no page
}
