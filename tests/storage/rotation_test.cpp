// storage/rotation: the resume plan, marks from a descriptor, the last-N-lines
// offset and the live rotation check, on real files.
#include "crawl/storage/rotation.hpp"

#include "compress.hpp"

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

using namespace crawl::storage;
namespace fs = std::filesystem;

namespace {

std::string fresh(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("crawl-rotation-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }
void append(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::app) << text;
}

// The mark a run would save after reading `path` up to `offset`.
file_mark mark_after(const std::string& path, std::uint64_t offset) {
  int fd = ::open(path.c_str(), O_RDONLY);
  auto m = mark_of(path, fd, offset);
  ::close(fd);
  REQUIRE(m);
  return *m;
}

resume_plan plan_for(const std::string& path, const std::optional<file_mark>& mark) {
  int fd = ::open(path.c_str(), O_RDONLY);
  auto opened = identify(fd);
  ::close(fd);
  REQUIRE(opened);
  return plan_resume(path, *opened, mark);
}

// Distinct mtimes for files written one after the other.
void tick() { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }

}  // namespace

TEST_CASE("resume: the first run starts at 0, a grown file where the last run stopped", "[rotation]") {
  auto dir = fresh("grow");
  std::string log = dir + "/app.log";
  write(log, "one\ntwo\n");
  CHECK(plan_for(log, std::nullopt).offset == 0);
  auto mark = mark_after(log, 8);
  append(log, "three\n");
  auto plan = plan_for(log, mark);
  CHECK(plan.offset == 8);
  CHECK(plan.rotated.empty());
  CHECK(plan.note.empty());
}

TEST_CASE("resume: a renamed file is finished first, then every file rotated after it", "[rotation]") {
  auto dir = fresh("chain");
  std::string log = dir + "/app.log";
  write(log, "first file line\n");
  auto mark = mark_after(log, 16);
  append(log, "late line\n");
  tick();
  fs::rename(log, log + ".2");
  write(log + ".1", "second file\n");  // rotated after it (as logrotate shifts .1 to .2)
  tick();
  append(log + ".1", "more\n");
  tick();
  write(log, "third file\n");
  auto plan = plan_for(log, mark);
  REQUIRE(plan.rotated.size() == 2);
  CHECK(plan.rotated[0].path == log + ".2");
  CHECK(plan.rotated[0].offset == 16);
  CHECK(plan.rotated[1].path == log + ".1");
  CHECK(plan.rotated[1].offset == 0);
  CHECK(plan.offset == 0);
  CHECK(plan.note.find("rotated since the last run") != std::string::npos);
}

TEST_CASE("resume: a compressed predecessor is found by its first bytes", "[rotation]") {
  auto dir = fresh("gz");
  std::string log = dir + "/app.log";
  write(log, "compressed later\nline two\n");
  auto mark = mark_after(log, 17);
  write(log + ".1.gz", crawl::test::gzip_of("compressed later\nline two\n"));
  fs::remove(log);
  tick();
  write(log, "new\n");
  auto plan = plan_for(log, mark);
  REQUIRE(plan.rotated.size() == 1);
  CHECK(plan.rotated[0].path == log + ".1.gz");
  CHECK(plan.rotated[0].offset == 17);
}

TEST_CASE("resume: truncation in place with no copy reads from the start", "[rotation]") {
  auto dir = fresh("trunc");
  std::string log = dir + "/app.log";
  write(log, "a long first line that will go\n");
  auto mark = mark_after(log, 31);
  write(log, "short\n");  // same inode, truncated and rewritten
  auto plan = plan_for(log, mark);
  CHECK(plan.offset == 0);
  CHECK(plan.rotated.empty());
  CHECK(plan.note.find("truncated") != std::string::npos);
}

TEST_CASE("resume: when the marked file is gone, files written after the mark are read whole", "[rotation]") {
  auto dir = fresh("gone");
  std::string log = dir + "/app.log";
  write(log, "file A\n");
  auto mark = mark_after(log, 7);
  fs::rename(log, log + ".1");
  tick();
  write(log, "file B\n");
  tick();
  fs::rename(log, log + ".1");  // replaces A: A is gone, B is .1
  tick();
  write(log, "file C\n");
  auto plan = plan_for(log, mark);
  REQUIRE(plan.rotated.size() == 1);
  CHECK(plan.rotated[0].path == log + ".1");
  CHECK(plan.rotated[0].offset == 0);
  CHECK(plan.offset == 0);
}

TEST_CASE("the last N lines start where the Nth newline from the end says", "[rotation]") {
  auto dir = fresh("lastn");
  std::string log = dir + "/app.log";
  write(log, "a\nbb\nccc\n");
  CHECK(last_lines_offset(log, 1) == 5);
  CHECK(last_lines_offset(log, 2) == 2);
  CHECK(last_lines_offset(log, 3) == 0);
  CHECK(last_lines_offset(log, 10) == 0);
  CHECK(last_lines_offset(log, 0) == 9);
}

TEST_CASE("the live check tells rotation from truncation from growth", "[rotation]") {
  auto dir = fresh("live");
  std::string log = dir + "/app.log";
  write(log, "0123456789\n");
  int fd = ::open(log.c_str(), O_RDONLY);
  struct ::stat open_st {}, path_st {};
  ::fstat(fd, &open_st);
  ::stat(log.c_str(), &path_st);
  CHECK(check_live(path_st, open_st, 11) == live_change::none);
  CHECK(check_live(path_st, open_st, 20) == live_change::truncated);
  fs::rename(log, log + ".1");
  write(log, "new\n");
  ::stat(log.c_str(), &path_st);
  ::fstat(fd, &open_st);
  CHECK(check_live(path_st, open_st, 11) == live_change::rotated);
  ::close(fd);
}
