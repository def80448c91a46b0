// storage/crawl_state: what `crawl --state` keeps per URL, and runs that resume.
#include "crawl/storage/crawl_state.hpp"
#include "crawl/storage/frontier.hpp"

#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>

using namespace crawl::storage;

namespace {
std::string fresh(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("crawl-cstate-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return (dir / "state.db").string();
}

page_record record_of(const std::string& url, long status, bool failed = false) {
  page_record r;
  r.url = url;
  r.etag = "\"e1\"";
  r.last_modified = "Wed, 01 May 2024 10:00:00 GMT";
  r.status = status;
  r.content_hash = 0xFFFFFFFFFFFFFFF0ull;  // above INT64_MAX: stored as its bit pattern
  r.words = 42;
  r.counts = std::string("\0blob\xff", 6);
  r.failed = failed;
  return r;
}
}  // namespace

TEST_CASE("crawl state: a record reads back whole, and knows which run finished it", "[crawl_state]") {
  std::string path = fresh("record");
  std::string error;
  auto state = crawl_state::open(path, error);
  REQUIRE(state);
  auto run = state->begin_run("/lists/a.txt");
  CHECK_FALSE(run.resumed);
  bool done = true;
  CHECK_FALSE(state->get("http://a.test/", done));
  REQUIRE(state->put(record_of("http://a.test/", 200), error));
  auto r = state->get("http://a.test/", done);
  REQUIRE(r);
  CHECK(done);
  CHECK(r->etag == "\"e1\"");
  CHECK(r->content_hash == 0xFFFFFFFFFFFFFFF0ull);
  CHECK(r->counts == std::string("\0blob\xff", 6));
  CHECK(r->words == 42);
}

TEST_CASE("crawl state: an unfinished run is resumed, a finished one is not", "[crawl_state]") {
  std::string path = fresh("resume");
  std::string error;
  {
    auto state = crawl_state::open(path, error);
    state->begin_run("/lists/a.txt");
    REQUIRE(state->put(record_of("http://a.test/1", 200), error));
    REQUIRE(state->put(record_of("http://a.test/2", 0, true), error));
  }  // ended without finish_run: interrupted
  {
    auto state = crawl_state::open(path, error);
    auto run = state->begin_run("/lists/a.txt");
    CHECK(run.resumed);
    CHECK(run.done_before == 2);
    bool done = false;
    auto failed = state->get("http://a.test/2", done);
    REQUIRE(failed);
    CHECK(done);
    CHECK(failed->failed);
    auto other = state->begin_run("/lists/b.txt");  // another list starts its own run
    CHECK_FALSE(other.resumed);
  }
  {
    auto state = crawl_state::open(path, error);
    state->begin_run("/lists/a.txt");
    REQUIRE(state->finish_run(error));
  }
  auto state = crawl_state::open(path, error);
  auto run = state->begin_run("/lists/a.txt");
  CHECK_FALSE(run.resumed);
  bool done = true;
  auto kept = state->get("http://a.test/1", done);
  REQUIRE(kept);   // validators stay for the next run's conditional requests
  CHECK_FALSE(done);  // but not finished by this run
}

// Found with --follow --state and --shard: a page found stored was looked
// up, the frontier (its own connection to the same file) queued links, and
// storing the page then failed at once with "database is locked": the
// lookup's statement, left on its row, kept a read transaction open.
TEST_CASE("crawl state: a record is stored after a lookup while the frontier writes the same file", "[crawl_state]") {
  std::string path = fresh("two-connections");
  std::string error;
  auto state = crawl_state::open(path, error);
  REQUIRE(state);
  state->begin_run("/lists/a.txt");
  REQUIRE(state->put(record_of("http://a.test/", 200), error));
  auto queue = frontier::open(path, error);
  REQUIRE(queue);
  bool done = false;
  REQUIRE(state->get("http://a.test/", done));
  CHECK(queue->add({frontier_url{"http://a.test/next", "a.test", 1, "http://a.test/", "link"}}, error) == 1);
  INFO(error);
  CHECK(state->put(record_of("http://a.test/", 304), error));
  CHECK(error.empty());
}
