// `crawl tail --state` across rotation while a run is reading, and under
// SIGKILL at random points of a log that grows and rotates: nothing lost,
// nothing counted twice.
#include "compress.hpp"
#include "run_process.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

using namespace crawl::test;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// `n` lines numbered from `first`, each about 60 bytes.
std::string numbered_lines(std::uint64_t first, std::uint64_t n) {
  std::string out;
  out.reserve(n * 64);
  for (std::uint64_t i = first; i < first + n; ++i)
    out += "2024-05-01T10:00:00 INFO request " + std::to_string(i) + " served in 12 ms ok\n";
  return out;
}

void append_file(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "ab");
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
}

// Whether `pid` has `path` open (its descriptors, as /proc shows them).
bool has_open(pid_t pid, const std::string& path) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    std::error_code link_ec;
    auto target = fs::read_symlink(entry.path(), link_ec);
    if (!link_ec && target.string().rfind(path, 0) == 0) return true;
  }
  return false;
}

std::uint64_t lines_of(const std::string& summary_path) {
  return json::parse(read_file(summary_path))["lines"].get<std::uint64_t>();
}

// Starts a --state run, stops it (SIGSTOP) once it has the log open, runs
// `rotate`, and lets it go on. Returns the lines it counted, or nullopt when
// it had closed the log before it could be stopped (too fast to test).
std::optional<std::uint64_t> run_rotated_midway(const std::string& log, const std::string& db,
                                                const std::string& out, const std::function<void()>& rotate) {
  child_process p({"tail", "--state", db, log, "-o", out, "--no-words", "--threads", "1"});
  bool caught = false;
  for (int i = 0; i < 5000 && !caught; ++i) {
    if (has_open(p.pid(), log)) {
      p.signal(SIGSTOP);
      caught = has_open(p.pid(), log);  // still reading it: the rotation lands mid-run
      if (!caught) p.signal(SIGCONT);
      break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  if (caught) rotate();
  if (caught) p.signal(SIGCONT);
  auto r = p.wait(std::chrono::seconds(120));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  if (!caught) return std::nullopt;
  return lines_of(out);
}

// The lines counted by a run rotated mid-way and by the run after it, or
// nullopt when the first run could not be caught mid-read.
std::optional<std::uint64_t> lines_across_rotation(const std::string& log, const std::string& db,
                                                   const std::string& out, const std::function<void()>& rotate) {
  auto first = run_rotated_midway(log, db, out, rotate);
  if (!first) return std::nullopt;
  auto r = run_crawl({"tail", "--state", db, log, "-o", out, "--no-words", "-q"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return *first + lines_of(out);
}

}  // namespace

TEST_CASE("tail --state: a log renamed away while a run reads it loses no line of the new one", "[tail][state]") {
  auto dir = temp_dir("tail-rotate-midrun");
  std::string log = dir + "/app.log", db = dir + "/state.db", out = dir + "/out.json";
  write_file(log, numbered_lines(0, 300000));
  // The new file is larger than the old one: a mark that paired the new
  // file's identity with the old file's offset skipped most of it.
  auto total = lines_across_rotation(log, db, out, [&] {
    fs::rename(log, log + ".1");
    write_file(log, numbered_lines(300000, 400000));
  });
  if (!total) {
    WARN("skipped: the run finished before it could be stopped mid-read");
    return;
  }
  CHECK(*total == 700000);
}

TEST_CASE("tail --state: a log renamed and compressed while a run reads it loses nothing", "[tail][state]") {
  auto dir = temp_dir("tail-rotate-gzip-midrun");
  std::string log = dir + "/app.log", db = dir + "/state.db", out = dir + "/out.json";
  write_file(log, numbered_lines(0, 300000));
  auto total = lines_across_rotation(log, db, out, [&] {
    fs::rename(log, log + ".1");
    append_file(log + ".1", numbered_lines(300000, 1000));  // written before the logger reopened
    write_file(log + ".1.gz", gzip_of(read_file(log + ".1")));
    fs::remove(log + ".1");
    write_file(log, numbered_lines(301000, 350000));
  });
  if (!total) {
    WARN("skipped: the run finished before it could be stopped mid-read");
    return;
  }
  CHECK(*total == 651000);
}

TEST_CASE("tail --state: 30 runs, some killed at random, over a growing and rotating log count every line once",
          "[tail][state]") {
  auto dir = temp_dir("tail-kill-loop");
  std::string log = dir + "/app.log", db = dir + "/state.db", out = dir + "/out.json";
  std::mt19937 rng(20261129);
  std::uint64_t written = 0, counted = 0;
  bool may_rotate = false;  // one rotation at most between two completed runs (rename replaces .1)
  auto rotate = [&] {
    fs::rename(log, log + ".1");  // replaces the previous .1, read to its end by a completed run
    write_file(log, "");
    may_rotate = false;
  };
  write_file(log, "");
  for (int run = 0; run < 30; ++run) {
    std::uint64_t n = 5000 + rng() % 30000;
    append_file(log, numbered_lines(written, n));
    written += n;
    bool rotate_during = may_rotate && rng() % 3 == 0;
    bool kill = rng() % 2 == 0;
    auto delay = std::chrono::microseconds(rng() % 40000);
    child_process p({"tail", "--state", db, log, "-o", out, "--no-words"});
    std::this_thread::sleep_for(delay);
    if (rotate_during) {
      rotate();
      std::uint64_t more = 1000 + rng() % 5000;
      append_file(log, numbered_lines(written, more));
      written += more;
    }
    if (kill) p.signal(SIGKILL);
    auto r = p.wait(std::chrono::seconds(120));
    INFO("run " << run << " exit " << r.exit_code << ": " << r.err);
    REQUIRE((r.exit_code == 0 || r.exit_code == 128 + SIGKILL));
    // Every output that appears counts, once: it appears together with the
    // state that goes with it, even when the run was killed just after.
    if (fs::exists(out)) {
      counted += lines_of(out);
      fs::remove(out);
    }
    if (r.exit_code == 0) may_rotate = true;
  }
  auto r = run_crawl({"tail", "--state", db, log, "-o", out, "--no-words", "-q"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  counted += lines_of(out);
  CHECK(counted == written);
}
