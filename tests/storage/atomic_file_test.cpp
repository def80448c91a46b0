#include "crawl/storage/atomic_file.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>

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

TEST_CASE("missing folders of an output are created", "[atomic_file]") {
  auto dir = fs::temp_directory_path() / ("crawl-atomic-folders-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  std::string path = (dir / "a" / "b" / "out.tsv").string();
  atomic_file f;
  std::string error;
  REQUIRE(f.open(path, error));
  f.write("x\t1\n");
  REQUIRE(f.commit(error));
  CHECK(fs::is_regular_file(path));
  fs::remove_all(dir);
}

TEST_CASE("an output that cannot be placed gives an error naming the path", "[atomic_file]") {
  auto dir = fs::temp_directory_path() / ("crawl-atomic-refused-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "folder");
  { std::ofstream(dir / "plain") << "x"; }
  atomic_file f;
  std::string error;
  // A folder as the destination: refused when opened, not after the work.
  CHECK_FALSE(f.open((dir / "folder").string(), error));
  CHECK(error.find((dir / "folder").string() + ": is a folder") != std::string::npos);
  // A regular file where a folder would have to be.
  error.clear();
  CHECK_FALSE(f.open((dir / "plain" / "out.tsv").string(), error));
  CHECK(error.find((dir / "plain").string()) != std::string::npos);
  fs::remove_all(dir);
}

namespace {
mode_t mode_of(const fs::path& p) {
  struct ::stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 07777;
}
void write_committed(const fs::path& p) {
  atomic_file f;
  std::string error;
  REQUIRE(f.open(p.string(), error));
  f.write("x\n");
  REQUIRE(f.commit(error));
}
}  // namespace

TEST_CASE("a new file gets the mode the umask allows and a replaced one keeps its mode", "[atomic_file]") {
  auto dir = fresh_dir();
  mode_t old_mask = ::umask(077);
  write_committed(dir / "private.tsv");
  ::umask(022);
  write_committed(dir / "shared.tsv");
  CHECK(mode_of(dir / "private.tsv") == 0600);
  CHECK(mode_of(dir / "shared.tsv") == 0644);
  ::chmod((dir / "shared.tsv").c_str(), 0640);
  write_committed(dir / "shared.tsv");  // replaced under umask 022: keeps 0640
  CHECK(mode_of(dir / "shared.tsv") == 0640);
  ::umask(old_mask);
}

TEST_CASE("a temporary file left by a killed writer is removed by the next open, a live writer's is not",
          "[atomic_file]") {
  auto dir = fresh_dir();
  auto dest = dir / "counts.tsv";
  // pid 2^22 + 1 is above Linux's pid_max default: no such process.
  std::ofstream(dir / ".counts.tsv.tmp.4194305.AbCdEf") << "half";
  std::ofstream(dir / (".counts.tsv.tmp." + std::to_string(::getpid()) + ".XyZ123")) << "mine, in progress";
  std::ofstream(dir / ".other.tsv.tmp.4194305.AbCdEf") << "another output's";
  write_committed(dest);
  CHECK_FALSE(fs::exists(dir / ".counts.tsv.tmp.4194305.AbCdEf"));
  CHECK(fs::exists(dir / (".counts.tsv.tmp." + std::to_string(::getpid()) + ".XyZ123")));
  CHECK(fs::exists(dir / ".other.tsv.tmp.4194305.AbCdEf"));
}
