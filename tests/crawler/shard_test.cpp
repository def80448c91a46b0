// crawler/shard: a host belongs to one shard, the same on every machine.
#include "crawl/crawler/shard.hpp"
#include "crawl/crawler/url_list_reader.hpp"

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <vector>

using namespace crawl::crawler;

TEST_CASE("shard: the hash is XXH64 with seed 0, the same everywhere", "[shard]") {
  // The reference values xxHash publishes for the empty input and "a".
  CHECK(stable_hash("") == 0xEF46DB3751D8E999ull);
  CHECK(stable_hash("a") == 0xD24EC4F1A98C6E5Bull);
  CHECK(shard_of_key("example.org", 1000) == stable_hash("example.org") % 1000);
}

TEST_CASE("shard: a host's shard does not depend on its case", "[shard]") {
  CHECK(shard_of_host("Example.ORG", 7) == shard_of_host("example.org", 7));
  CHECK(shard_of_host("WWW.EXAMPLE.ORG", 1000) == shard_of_key("www.example.org", 1000));
  CHECK(shard_of_host("anything", 1) == 0);
}

TEST_CASE("shard: every host has exactly one shard, and shards share hosts about evenly", "[shard]") {
  constexpr std::uint32_t n = 4;
  std::vector<int> per_shard(n);
  for (int i = 0; i < 20000; ++i) {
    std::string host = "host" + std::to_string(i) + ".example";
    int owners = 0;
    for (std::uint32_t k = 0; k < n; ++k) owners += owns_host(shard{k, n}, host);
    REQUIRE(owners == 1);
    ++per_shard[shard_of_host(host, n)];
  }
  for (int c : per_shard) CHECK((c > 4500 && c < 5500));
}

namespace {
int list_fd(const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("crawl-shard-" + std::to_string(::getpid()) + ".txt");
  std::ofstream(path) << text;
  int fd = ::open(path.c_str(), O_RDONLY);
  std::filesystem::remove(path);
  return fd;
}
}  // namespace

TEST_CASE("shard: a list reader keeps its shard's URLs and counts the others", "[shard]") {
  std::string text;
  for (int i = 0; i < 300; ++i) text += "http://h" + std::to_string(i % 30) + ".test/p" + std::to_string(i) + "\n";
  std::set<std::string> seen;
  std::uint64_t others = 0;
  for (std::uint32_t k = 0; k < 3; ++k) {
    url_list_reader reader(list_fd(text));
    reader.keep_shard({k, 3});
    std::uint64_t mine = 0;
    while (auto line = reader.next()) {
      REQUIRE(line->url);
      CHECK(shard_of_host(line->url->host, 3) == k);
      CHECK(seen.insert(line->url->url).second);  // no URL in two shards
      ++mine;
    }
    CHECK(mine + reader.other_shard() == 300);
    others += reader.other_shard();
  }
  CHECK(seen.size() == 300);
  CHECK(others == 600);
}

TEST_CASE("shard: a bad line is shard 0's to report, once in all", "[shard]") {
  std::string text = "http://a.test/\nnot a url\nftp://b.test/\n" + std::string(9000, 'x') + "\n";
  std::uint64_t reported = 0;
  for (std::uint32_t k = 0; k < 3; ++k) {
    url_list_reader reader(list_fd(text));
    reader.keep_shard({k, 3});
    while (auto line = reader.next())
      if (!line->url) {
        CHECK(k == 0);
        ++reported;
      }
  }
  CHECK(reported == 3);
}
