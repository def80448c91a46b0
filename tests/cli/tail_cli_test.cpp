// `crawl tail`, end to end, on real files.
#include "compress.hpp"
#include "run_process.hpp"

#include "crawl/storage/state_lock.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <thread>

using namespace crawl::test;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A log of `n` lines starting at line `first`; levels and statuses repeat,
// ids do not (so compressed files are not trivially small).
std::string log_lines(int first, int n) {
  static const char* levels[] = {"INFO", "WARN", "ERROR", "INFO"};
  std::string out;
  for (int i = first; i < first + n; ++i)
    out += "2024-05-01T10:" + std::string(i % 60 < 10 ? "0" : "") + std::to_string(i % 60) + ":00 " +
           levels[i % 4] + " status=" + std::to_string(i % 3 == 0 ? 500 : 200) + " request served item" +
           std::to_string(i % 10) + " id=" + std::to_string((static_cast<unsigned>(i) * 2654435761u) % 1000003u) +
           "\n";
  return out;
}



void append_file(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "ab");
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
}

json tail_json(const std::vector<std::string>& args, int expect_exit = 0) {
  std::vector<std::string> full{"tail", "--format", "json", "-q"};
  full.insert(full.end(), args.begin(), args.end());
  auto r = run_crawl(full);
  INFO(r.err);
  REQUIRE(r.exit_code == expect_exit);
  return json::parse(r.out);
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("tail: plain, zstd and gzip inputs give the same summary", "[tail]") {
  auto dir = temp_dir("tail-formats");
  std::string text = log_lines(0, 30000);
  write_file(dir + "/app.log", text);
  write_file(dir + "/app.log.zst", zstd_of(text.substr(0, text.size() / 2)) + zstd_of(text.substr(text.size() / 2)));
  write_file(dir + "/app.log.gz", gzip_of(text));
  write_file(dir + "/disguised.txt", zstd_of(text));  // detected by magic, not by name
  auto plain = tail_json({dir + "/app.log"});
  auto plain_groups = tail_json({dir + "/app.log", "--group", "status=(\\d+)"});
  CHECK(plain["lines"] == 30000);
  CHECK(plain["bytes"] == text.size());
  CHECK(plain_groups["rows"][1] == json{{"status=(\\d+)", "500"}, {"count", 10000}});
  for (const char* name : {"/app.log.zst", "/app.log.gz", "/disguised.txt"}) {
    INFO(name);
    auto other = tail_json({dir + name});
    CHECK(other["lines"] == plain["lines"]);
    CHECK(other["words"] == plain["words"]);
    CHECK(other["top"] == plain["top"]);
    CHECK(tail_json({dir + name, "--group", "status=(\\d+)"})["rows"] == plain_groups["rows"]);
  }
}

TEST_CASE("tail: the thread fallback reads what io_uring reads", "[tail]") {
  auto dir = temp_dir("tail-fallback");
  std::string text = log_lines(0, 5000);
  write_file(dir + "/app.log", text);
  // -v says when io_uring is refused; then there is nothing to compare with.
  auto first = run_crawl({"tail", "--format", "json", "-v", dir + "/app.log"});
  REQUIRE(first.exit_code == 0);
  if (contains(first.err, "io_uring refused")) {
    WARN("skipped: io_uring is refused here: " << first.err);
    return;
  }
  CHECK_FALSE(contains(first.err, "reading on a thread"));
  auto uring = json::parse(first.out);
  auto r = run_crawl({"tail", "--format", "json", "-v", "--no-io-uring", dir + "/app.log"});
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.err, "reading on a thread"));
  auto fallback = json::parse(r.out);
  CHECK(fallback["lines"] == uring["lines"]);
  CHECK(fallback["top"] == uring["top"]);
}

TEST_CASE("tail: standard input, several files and globs", "[tail]") {
  auto dir = temp_dir("tail-inputs");
  write_file(dir + "/a.log", log_lines(0, 10));
  write_file(dir + "/b.log", log_lines(10, 20));
  auto r = run_crawl({"tail", "--format", "json", "-"}, dir + "/a.log");
  REQUIRE(r.exit_code == 0);
  CHECK(json::parse(r.out)["lines"] == 10);
  auto both = tail_json({dir + "/*.log", "--per-file"});
  CHECK(both["lines"] == 30);
  CHECK(both["files"][dir + "/b.log"]["lines"] == 20);
}

TEST_CASE("tail: a missing file and a directory are errors and the rest is summarized", "[tail]") {
  auto dir = temp_dir("tail-missing");
  write_file(dir + "/a.log", log_lines(0, 7));
  auto r = run_crawl({"tail", "--format", "json", dir + "/nope.log", dir, dir + "/a.log"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, dir + "/nope.log: No such file or directory"));
  CHECK(contains(r.err, dir + ": is a folder"));
  CHECK(json::parse(r.out)["lines"] == 7);
}

TEST_CASE("tail: a cut zstd file names the byte offset and what was read counts", "[tail]") {
  auto dir = temp_dir("tail-corrupt");
  std::string packed = zstd_of(log_lines(0, 50000));
  write_file(dir + "/cut.zst", packed.substr(0, packed.size() / 2));
  auto r = run_crawl({"tail", "--format", "json", dir + "/cut.zst"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, dir + "/cut.zst: zstd stream cut short at compressed byte " + std::to_string(packed.size() / 2)));
  auto s = json::parse(r.out);
  CHECK(s["lines"] > 0);
  CHECK(s["lines"] < 50000);
}

TEST_CASE("tail: long lines are truncated, CRLF and NUL handled", "[tail]") {
  auto dir = temp_dir("tail-lines");
  std::string text = "short line\r\n" + std::string(5000, 'x') + "\n" + std::string("nul\0byte\n", 9) + "no newline";
  write_file(dir + "/odd.log", text);
  auto s = tail_json({dir + "/odd.log", "--max-line", "100"});
  CHECK(s["lines"] == 4);
  CHECK(s["truncated_lines"] == 1);
  CHECK(s["nul_bytes"] == 1);
  CHECK(s["bytes"] == text.size());
}

TEST_CASE("tail: match, exclude, group and per-hour buckets", "[tail]") {
  auto dir = temp_dir("tail-filters");
  write_file(dir + "/app.log", log_lines(0, 120));
  auto s = tail_json({dir + "/app.log", "--match", "ERROR|WARN", "--exclude", "item3", "--group",
                      " (?P<level>INFO|WARN|ERROR) ", "--per", "hour", "--no-words"});
  // i % 4 == 1 (WARN) or 2 (ERROR), minus i % 10 == 3.
  int expected = 0;
  for (int i = 0; i < 120; ++i) expected += (i % 4 == 1 || i % 4 == 2) && i % 10 != 3;
  CHECK(s["kept_lines"] == expected);
  CHECK(s["rows"].size() == 2);  // WARN and ERROR in the one hour
  int in_hour = 0;
  for (const auto& row : s["rows"]) {
    CHECK(row["hour"] == "2024-05-01T10:00");
    in_hour += row["count"].get<int>();
  }
  CHECK(in_hour == expected);
  CHECK(s["words"] == 0);
}

TEST_CASE("tail: -n starts that many lines from the end", "[tail]") {
  auto dir = temp_dir("tail-n");
  write_file(dir + "/app.log", log_lines(0, 100));
  CHECK(tail_json({dir + "/app.log", "-n", "7"})["lines"] == 7);
}

TEST_CASE("tail: -o writes word counts as TSV atomically", "[tail]") {
  auto dir = temp_dir("tail-output");
  write_file(dir + "/app.log", "b a b\nc b\n");
  auto r = run_crawl({"tail", dir + "/app.log", "-o", dir + "/words.tsv"});
  REQUIRE(r.exit_code == 0);
  CHECK(read_file(dir + "/words.tsv") == "b\t3\na\t1\nc\t1\n");
}

TEST_CASE("tail --state: each run reads only what is new, across rotations", "[tail][state]") {
  auto dir = temp_dir("tail-state");
  std::string log = dir + "/app.log", db = dir + "/state.db";
  std::uint64_t counted = 0;
  auto run = [&] {
    auto s = tail_json({"--state", db, log});
    counted += s["lines"].get<std::uint64_t>();
  };
  write_file(log, log_lines(0, 100));
  run();
  CHECK(counted == 100);
  append_file(log, log_lines(100, 50) + "half a li");  // an unfinished line waits for the next run
  run();
  CHECK(counted == 150);
  append_file(log, "ne\n" + log_lines(151, 10));
  // Rotation by rename and compression, with lines the last run did not see.
  fs::rename(log, log + ".1");
  append_file(log + ".1", log_lines(161, 5));
  write_file(log + ".1.gz", gzip_of(read_file(log + ".1")));
  fs::remove(log + ".1");
  write_file(log, log_lines(166, 20));
  run();
  CHECK(counted == 186);
  // Copy and truncate (logrotate's copytruncate), again with unseen lines.
  append_file(log, log_lines(186, 4));
  fs::remove(log + ".1.gz");
  fs::copy_file(log, log + ".1");
  write_file(log, log_lines(190, 10));
  run();
  CHECK(counted == 200);
  run();
  CHECK(counted == 200);
}

TEST_CASE("tail --state: a run killed with SIGKILL loses and repeats nothing", "[tail][state]") {
  auto dir = temp_dir("tail-kill");
  std::string log = dir + "/big.log", db = dir + "/state.db", out = dir + "/out.json";
  std::string text = log_lines(0, 400000);
  write_file(log, text);
  std::uint64_t counted = 0;
  {
    child_process p({"tail", "--state", db, log, "-o", out});
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    p.signal(SIGKILL);
    auto r = p.wait(std::chrono::seconds(60));
    // An output that appeared counts (it comes with its state), even if the
    // kill came just after; none appears half-written.
    if (fs::exists(out)) counted += json::parse(read_file(out))["lines"].get<std::uint64_t>();
    fs::remove(out);
  }
  auto r = run_crawl({"tail", "--state", db, log, "-o", out});
  REQUIRE(r.exit_code == 0);
  counted += json::parse(read_file(out))["lines"].get<std::uint64_t>();
  CHECK(counted == 400000);
}

TEST_CASE("tail --state: a second run on the same state exits 75 naming the holder", "[tail][state]") {
  auto dir = temp_dir("tail-lock");
  write_file(dir + "/app.log", "x\n");
  auto lock = crawl::storage::state_lock::acquire(dir + "/state.db", false).lock;
  REQUIRE(lock);
  auto r = run_crawl({"tail", "--state", dir + "/state.db", dir + "/app.log"});
  CHECK(r.exit_code == 75);
  CHECK(contains(r.err, "pid " + std::to_string(::getpid())));
}

// The `lines` of the last complete JSON summary a follower printed (one
// object per line per refresh, the final one indented), or -1.
long long last_summary_lines(const std::string& out) {
  auto end = out.rfind("}\n");
  if (end == std::string::npos) return -1;
  auto one_line = out.rfind("{\"lines\"", end), indented = out.rfind("{\n  \"lines\"", end);
  auto start = one_line == std::string::npos ? indented
               : indented == std::string::npos ? one_line
                                               : std::max(one_line, indented);
  if (start == std::string::npos) return -1;
  try {
    return json::parse(out.substr(start, end + 1 - start))["lines"].get<long long>();
  } catch (...) {
    return -1;
  }
}

TEST_CASE("tail -f: every line counted once across rename rotation, truncation and re-creation", "[tail][follow]") {
  auto dir = temp_dir("tail-follow");
  std::string log = dir + "/app.log";
  write_file(log, log_lines(0, 5));  // there before the start: following begins at the end
  child_process p({"tail", "-f", log, "--every", "0.05", "--format", "json", "--no-words", "-q"});
  auto wait_lines = [&](long long n) {
    for (int i = 0; i < 1500; ++i) {  // bounded: 15 s
      if (last_summary_lines(p.out_so_far()) == n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  };
  REQUIRE(wait_lines(0));
  append_file(log, log_lines(5, 10));
  REQUIRE(wait_lines(10));
  // Rename rotation; the writer still adds to the old file before the new one appears.
  fs::rename(log, log + ".1");
  append_file(log + ".1", log_lines(15, 3));
  write_file(log, log_lines(18, 7));
  REQUIRE(wait_lines(20));
  // Truncation in place (copytruncate): caught up first, as its inherent race requires.
  ::truncate(log.c_str(), 0);
  append_file(log, log_lines(25, 4));
  REQUIRE(wait_lines(24));
  // Deleted, then created again.
  fs::remove(log);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  write_file(log, log_lines(29, 6));
  REQUIRE(wait_lines(30));
  p.signal(SIGINT);
  auto r = p.wait(std::chrono::seconds(30));
  CHECK(r.exit_code == 0);
  CHECK(last_summary_lines(r.out) == 30);
}

TEST_CASE("tail -f: a file that does not exist yet is waited for", "[tail][follow]") {
  auto dir = temp_dir("tail-wait");
  std::string log = dir + "/later.log";
  child_process p({"tail", "-f", log, "--every", "0.05", "--format", "json", "-q"});
  for (int i = 0; i < 1000 && last_summary_lines(p.out_so_far()) != 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(last_summary_lines(p.out_so_far()) == 0);  // following, with nothing to read yet
  write_file(log, log_lines(0, 3));
  for (int i = 0; i < 1000 && last_summary_lines(p.out_so_far()) != 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(last_summary_lines(p.out_so_far()) == 3);
  p.signal(SIGTERM);
  auto r = p.wait(std::chrono::seconds(30));
  CHECK(r.exit_code == 0);
  CHECK(last_summary_lines(r.out) == 3);
}

TEST_CASE("tail: a usage error exits 2 and an interrupted batch run exits 130", "[tail]") {
  auto bad = run_crawl({"tail", "--match", "(unclosed", "x.log"});
  CHECK(bad.exit_code == 2);
  CHECK(contains(bad.err, "--match"));
  // Standard input that never ends: the run is still reading when the signal
  // comes. (A pipe, opened by the child through /proc: a FIFO would block the
  // child's open() before exec, and posix_spawn waits for the exec.)
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  child_process p({"tail", "-", "--format", "json"}, "/proc/self/fd/" + std::to_string(fds[0]));
  ::close(fds[0]);
  std::string lines = log_lines(0, 100);
  REQUIRE(::write(fds[1], lines.data(), lines.size()) == static_cast<ssize_t>(lines.size()));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  p.signal(SIGTERM);
  auto r = p.wait(std::chrono::seconds(30));
  ::close(fds[1]);
  CHECK(r.exit_code == 130);
}

TEST_CASE("tail: on a terminal, a batch run shows what it has read while it reads", "[tail][progress]") {
  // A pipe that pauses for a second: the progress line (every 250 ms) shows
  // meanwhile; script(1) gives the run a pseudo-terminal.
  std::string command = "(printf 'a b\\n'; sleep 1; printf 'c\\n') | '" + std::string(CRAWL_BINARY) + "' tail - --top 0";
  auto r = run_program({"script", "-qec", command, "/dev/null"});
  INFO(r.out);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "\r\033[Kread 0.0 MB, "));
  CHECK(contains(r.out, "tail: 1 file, 2 lines (2 kept)"));
}

TEST_CASE("tail -f: on a terminal the summary is redrawn in place, without clearing the scrollback", "[tail][follow]") {
  auto dir = temp_dir("tail-redraw");
  write_file(dir + "/app.log", log_lines(0, 3));
  // Interrupted after about a second of refreshes every 0.1 s; script(1) gives it a pseudo-terminal.
  std::string command = "timeout -s INT 1 '" + std::string(CRAWL_BINARY) + "' tail -f '" + dir +
                        "/app.log' -n 3 --every 0.1 --by status";
  auto r = run_program({"script", "-qec", command, "/dev/null"});
  INFO(r.out);
  CHECK(contains(r.out, "\033[H\033[J"));     // cursor home, clear below
  CHECK_FALSE(contains(r.out, "\033[2J"));    // not the whole screen
  CHECK(contains(r.out, "status  count"));
}
