// The crawl frontier on disk: each URL once, hosts in turn, resumable.
#include "crawl/storage/frontier.hpp"

#include <catch2/catch.hpp>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>

using namespace crawl::storage;
namespace fs = std::filesystem;

namespace {
std::string fresh(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("crawl-frontier-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto path = dir / (name + ".db");
  fs::remove(path);
  return path.string();
}

frontier_url at(const std::string& host, int i, std::uint32_t depth = 1) {
  return frontier_url{"http://" + host + "/" + std::to_string(i), host, depth, "http://" + host + "/", "link"};
}
}  // namespace

TEST_CASE("frontier: a URL is queued once, however often it is found, and a claimed one never", "[frontier]") {
  std::string error;
  auto f = frontier::open(fresh("once"), error);
  REQUIRE(f);
  CHECK(f->claim(at("a", 0, 0), error));  // a seed
  CHECK_FALSE(f->claim(at("a", 0, 0), error));
  CHECK(f->add({at("a", 0), at("a", 1), at("a", 1), at("a", 2)}, error) == 2);
  CHECK(f->add({at("a", 2), at("a", 3)}, error) == 1);
  CHECK(f->queued() == 3);
  CHECK(f->seen() == 4);
  auto taken = f->take(10, 10, error);
  REQUIRE(taken.size() == 3);
  CHECK(taken[0].url == "http://a/1");  // in the order found
  CHECK(taken[0].depth == 1);
  CHECK(taken[0].referrer == "http://a/");
  CHECK(f->queued() == 0);
  CHECK(f->take(10, 10, error).empty());
}

TEST_CASE("frontier: hosts are taken in turn, so a host with many URLs crowds out none", "[frontier]") {
  std::string error;
  auto f = frontier::open(fresh("fair"), error);
  REQUIRE(f);
  std::vector<frontier_url> urls;
  for (int i = 0; i < 5000; ++i) urls.push_back(at("huge", i));
  for (int h = 0; h < 50; ++h)
    for (int i = 0; i < 3; ++i) urls.push_back(at("small" + std::to_string(h), i));
  REQUIRE(f->add(urls, error) == urls.size());
  auto first = f->take(102, 2, error);
  std::map<std::string, int> per_host;
  for (const auto& u : first) ++per_host[u.host];
  CHECK(first.size() == 102);
  CHECK(per_host.size() == 51);  // every host, two each
  for (const auto& [host, n] : per_host) CHECK(n == 2);
  // The next take goes on where this one stopped, round after round.
  std::size_t total = first.size();
  for (int round = 0; round < 1000 && f->queued() > 0; ++round) total += f->take(100, 2, error).size();
  CHECK(total == urls.size());
  // One host left: a take still fills up, round after round.
  f->add({at("alone", 1), at("alone", 2), at("alone", 3), at("alone", 4), at("alone", 5)}, error);
  CHECK(f->take(4, 2, error).size() == 4);
}

TEST_CASE("frontier: a killed run's taken URLs are queued again when it is reopened, and clear() forgets all",
          "[frontier]") {
  std::string error;
  std::string path = fresh("resume");
  {
    auto f = frontier::open(path, error);
    REQUIRE(f);
    f->add({at("a", 1), at("a", 2), at("a", 3)}, error);
    auto taken = f->take(2, 10, error);
    REQUIRE(taken.size() == 2);
    CHECK(f->done(taken[0].url, error));
  }  // closed with one taken and not done
  auto f = frontier::open(path, error);
  REQUIRE(f);
  CHECK(f->queued() == 2);  // the unfinished one and the untaken one
  auto again = f->take(10, 10, error);
  REQUIRE(again.size() == 2);
  CHECK(f->add({at("a", 1)}, error) == 0);  // done: still known
  CHECK(f->clear(error));
  CHECK(f->seen() == 0);
  CHECK(f->add({at("a", 1)}, error) == 1);
}

TEST_CASE("frontier: a link not followed is reported once, and queued when found again where it may be followed",
          "[frontier]") {
  std::string error;
  auto f = frontier::open(fresh("skipped"), error);
  REQUIRE(f);
  CHECK(f->skip({at("a", 1), at("a", 2), at("a", 1)}, error) == std::vector<std::size_t>{0, 1});
  CHECK(f->skip({at("a", 2), at("a", 3)}, error) == std::vector<std::size_t>{1});
  CHECK(f->queued() == 0);
  frontier_url again = at("a", 2, 2);
  again.via = "sitemap";
  CHECK(f->add({again}, error) == 1);  // skipped before: now queued
  CHECK(f->add({again}, error) == 0);  // queued: not twice
  CHECK(f->skip({again}, error).empty());
  REQUIRE(error.empty());
  auto taken = f->take(10, 10, error);
  REQUIRE(taken.size() == 1);
  CHECK(taken[0].url == "http://a/2");
  CHECK(taken[0].depth == 2);
  CHECK(taken[0].via == "sitemap");
  // A resumed crawl goes through what it fetched, not what it skipped.
  REQUIRE(f->requeue_all(error));
  CHECK(f->queued() == 1);
}

TEST_CASE("frontier: a file written before links carried how they were found is taken up", "[frontier]") {
  std::string path = fresh("old-schema");
  std::string error;
  {
    auto f = frontier::open(path, error);
    REQUIRE(f);
  }
  // The table as the first version wrote it.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  CHECK(sqlite3_exec(db,
                     "DROP TABLE frontier; CREATE TABLE frontier (id INTEGER PRIMARY KEY, url TEXT UNIQUE NOT NULL,"
                     " host TEXT NOT NULL, depth INTEGER NOT NULL, referrer TEXT, state INTEGER NOT NULL);"
                     " INSERT INTO frontier (url, host, depth, referrer, state) VALUES ('http://a/1', 'a', 1, 'http://a/', 0);",
                     nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto f = frontier::open(path, error);
  REQUIRE(f);
  CHECK(f->queued() == 1);
  auto taken = f->take(10, 10, error);
  REQUIRE(taken.size() == 1);
  CHECK(taken[0].via.empty());
}

TEST_CASE("frontier: more URLs than its table of known ones holds are each queued exactly once", "[frontier]") {
  std::string error;
  auto f = frontier::open(fresh("many"), error);
  REQUIRE(f);
  std::vector<frontier_url> urls;
  for (int i = 0; i < 300'000; ++i) urls.push_back(at("h" + std::to_string(i % 50), i));
  CHECK(f->add(urls, error) == urls.size());
  std::reverse(urls.begin(), urls.end());  // known ones met in another order
  CHECK(f->add(urls, error) == 0);
  CHECK(f->queued() == urls.size());
  CHECK(f->seen() == urls.size());
  REQUIRE(error.empty());
}
