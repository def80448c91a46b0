#include "crawl/storage/atomic_file.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using crawl::storage::atomic_file;

namespace {
fs::path fresh_dir() {
  auto dir = fs::temp_directory_path() / ("crawl-atomic-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}
std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
std::size_t entries(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}
}  // namespace

TEST_CASE("a committed file appears whole under its name", "[atomic_file]") {
  auto dir = fresh_dir();
  atomic_file f;
  std::string error;
  REQUIRE(f.open((dir / "out.tsv").string(), error));
  f.write("a\t1\n");
  CHECK_FALSE(fs::exists(dir / "out.tsv"));
  REQUIRE(f.commit(error));
  CHECK(slurp(dir / "out.tsv") == "a\t1\n");
  CHECK(entries(dir) == 1);
  fs::remove_all(dir);
}

TEST_CASE("an abandoned write leaves the previous file intact and no temporary", "[atomic_file]") {
  auto dir = fresh_dir();
  { std::ofstream(dir / "out.tsv") << "old\n"; }
  {
    atomic_file f;
    std::string error;
    REQUIRE(f.open((dir / "out.tsv").string(), error));
    f.write("new but unfinished");
  }
  CHECK(slurp(dir / "out.tsv") == "old\n");
  CHECK(entries(dir) == 1);
  fs::remove_all(dir);
}

TEST_CASE("a file in a missing folder gives an error naming the path", "[atomic_file]") {
  atomic_file f;
  std::string error;
  CHECK_FALSE(f.open("/nonexistent-crawl-dir/out.tsv", error));
  CHECK(error.find("/nonexistent-crawl-dir/out.tsv") != std::string::npos);
}
