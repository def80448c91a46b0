// `crawl --state`: conditional refetch, resume after SIGKILL, lock, deadline.
#include "run_process.hpp"
#include "test_http_server.hpp"

#include "crawl/storage/state_lock.hpp"
#include "crawl/storage/warc.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

using namespace crawl::test;
using json = nlohmann::json;

namespace {

test_http_server& server() { return shared_test_server(); }

std::string urls(const std::string& prefix, int n) {
  std::string text;
  for (int i = 0; i < n; ++i) text += server().url(prefix + std::to_string(i)) + "\n";
  return text;
}


}  // namespace

TEST_CASE("state: an unchanged second run revalidates with 304 and keeps the same totals", "[state]") {
  auto dir = temp_dir("state-304");
  write_file(dir + "/urls.txt", urls("/etag/", 30));
  auto args = [&](const std::string& out) {
    return std::vector<std::string>{dir + "/urls.txt", "-q", "--state", dir + "/s.db", "-o", dir + out,
                                    "--summary", dir + "/s.json"};
  };
  auto first = run_crawl(args("/first.tsv"));
  REQUIRE(first.exit_code == 0);
  CHECK(json::parse(read_file(dir + "/s.json"))["unchanged"] == 0);
  auto second = run_crawl(args("/second.tsv"));
  REQUIRE(second.exit_code == 0);
  auto s = json::parse(read_file(dir + "/s.json"));
  CHECK(s["unchanged"] == 30);
  CHECK(s["ok"] == 30);
  CHECK(s["bytes"] == 0);
  CHECK(read_tsv(dir + "/second.tsv") == read_tsv(dir + "/first.tsv"));
  CHECK(read_tsv(dir + "/first.tsv")["stable"] == 30);

  auto refresh = run_crawl({dir + "/urls.txt", "-q", "--state", dir + "/s.db", "--refresh", "--summary", dir + "/s.json"});
  REQUIRE(refresh.exit_code == 0);
  CHECK(json::parse(read_file(dir + "/s.json"))["unchanged"] == 0);
}

TEST_CASE("state: a run killed with SIGKILL resumes, refetching nothing it had finished", "[state]") {
  auto dir = temp_dir("state-kill");
  constexpr int pages = 60;
  write_file(dir + "/urls.txt", urls("/slow/", pages));
  std::vector<std::string> args{dir + "/urls.txt", "-q", "-c", "4", "--per-host", "4", "--state", dir + "/s.db",
                                "-o", dir + "/c.tsv", "--summary", dir + "/s.json"};
  auto requested = [&] {
    std::uint64_t n = 0;
    for (int i = 0; i < pages; ++i) n += server().requests("/slow/" + std::to_string(i));
    return n;
  };
  {
    child_process p(args);
    for (int i = 0; i < 1000 && requested() < 20; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    p.signal(SIGKILL);
    p.wait(std::chrono::seconds(30));
  }
  std::uint64_t before_resume = requested();
  REQUIRE(before_resume >= 20);
  REQUIRE(before_resume < pages);
  auto r = run_crawl(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto s = json::parse(read_file(dir + "/s.json"));
  CHECK(s["resumed"] == true);
  CHECK(s["ok"] == pages);
  CHECK(read_tsv(dir + "/c.tsv")["slow"] == pages);
  // Only the transfers in flight at the kill (at most 4) are fetched twice.
  int twice = 0;
  for (int i = 0; i < pages; ++i) {
    auto n = server().requests("/slow/" + std::to_string(i));
    CHECK(n >= 1);
    twice += n > 1;
  }
  CHECK(twice <= 4);
  // The list was finished: the next run is a fresh one that revalidates.
  auto again = run_crawl(args);
  REQUIRE(again.exit_code == 0);
  CHECK(json::parse(read_file(dir + "/s.json"))["resumed"] == false);
}

TEST_CASE("state: a second run on the same state exits 75 naming the holder", "[state]") {
  auto dir = temp_dir("state-lock");
  write_file(dir + "/urls.txt", urls("/etag/", 1));
  auto lock = crawl::storage::state_lock::acquire(dir + "/s.db", false).lock;
  REQUIRE(lock);
  auto r = run_crawl({dir + "/urls.txt", "--state", dir + "/s.db", "--summary", dir + "/s.json"});
  CHECK(r.exit_code == 75);
  CHECK(r.err.find("pid " + std::to_string(::getpid())) != std::string::npos);
  CHECK(json::parse(read_file(dir + "/s.json"))["exit_status"] == 75);  // written on failure too
}

TEST_CASE("a deadline ends the run gracefully with every output written", "[state]") {
  auto dir = temp_dir("deadline");
  write_file(dir + "/urls.txt", server().url("/etag/1") + "\n" + server().url("/stall") + "\n");
  auto r = run_crawl({dir + "/urls.txt", "--timeout", "60", "--deadline", "0.5s", "--grace", "0.1", "-o",
                      dir + "/c.tsv", "--summary", dir + "/s.json"});
  CHECK(r.exit_code == 130);
  auto s = json::parse(read_file(dir + "/s.json"));
  CHECK(s["deadline_reached"] == true);
  CHECK(s["exit_status"] == 130);
  CHECK(read_tsv(dir + "/c.tsv")["stable"] == 1);
  auto bad = run_crawl({dir + "/urls.txt", "--deadline", "soon"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--deadline") != std::string::npos);
}

namespace {
std::string run_shell(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  CHECK(::pclose(p) == 0);
  return out;
}
}  // namespace

TEST_CASE("warc: the archive reads back with warcio and recounts to the same totals", "[warc]") {
  auto dir = temp_dir("warc");
  std::string list;
  for (const char* path : {"/count/1", "/count/2", "/gzip", "/br", "/zstd", "/chunked", "/latin1", "/sjis",
                           "/bad-utf8", "/image", "/status/404", "/empty"})
    list += server().url(path) + "\n";
  write_file(dir + "/urls.txt", list);
  auto r = run_crawl({dir + "/urls.txt", "-q", "--retries", "0", "--warc", dir + "/a.warc.zst", "-o", dir + "/crawl.tsv"});
  REQUIRE(r.exit_code == 1);  // the 404
  auto recount = run_crawl({"count", dir + "/a.warc.zst", "-q", "-o", dir + "/count.tsv"});
  INFO(recount.err);
  REQUIRE(recount.exit_code == 0);
  CHECK(read_file(dir + "/count.tsv") == read_file(dir + "/crawl.tsv"));
  CHECK(read_tsv(dir + "/crawl.tsv")["compressed"] == 3);

  // An independent reader: zstd -dc gives a WARC that warcio parses.
  run_shell("zstd -q -dc '" + dir + "/a.warc.zst' > '" + dir + "/a.warc'");
  auto parsed = json::parse(run_shell("node '" CRAWL_SOURCE_DIR "/tests/js/read_warc.mjs' '" + dir + "/a.warc'"));
  CHECK(parsed["records"]["warcinfo"] == 1);
  CHECK(parsed["records"]["response"] == 10);  // every page counted: not the image, not the 404
  CHECK(parsed["records"]["request"] == 10);
  for (const auto& response : parsed["responses"]) CHECK(response["status"] == 200);
}

TEST_CASE("warc: archives roll over at --warc-max-size and recount together", "[warc]") {
  auto dir = temp_dir("warc-roll");
  write_file(dir + "/urls.txt", urls("/count/", 40));
  auto r = run_crawl({dir + "/urls.txt", "-q", "--warc", dir + "/roll.warc.zst", "--warc-max-size", "2000", "-o",
                      dir + "/crawl.tsv"});
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> files{"count", "-q", "-o", dir + "/count.tsv"};
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().string().find(".warc.zst") != std::string::npos) files.push_back(entry.path().string());
  CHECK(files.size() > 6);  // several archive files
  auto recount = run_crawl(files);
  REQUIRE(recount.exit_code == 0);
  CHECK(read_file(dir + "/count.tsv") == read_file(dir + "/crawl.tsv"));
}

TEST_CASE("outputs: a run killed mid-way leaves the previous files intact", "[state]") {
  auto dir = temp_dir("atomic-kill");
  write_file(dir + "/urls.txt", urls("/slow/k", 40));
  write_file(dir + "/c.tsv", "previous\t1\n");
  write_file(dir + "/s.json", "{\"previous\": true}\n");
  {
    child_process p({dir + "/urls.txt", "-q", "-c", "2", "-o", dir + "/c.tsv", "--summary", dir + "/s.json"});
    for (int i = 0; i < 1000 && server().requests("/slow/k3") == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    p.signal(SIGKILL);
    p.wait(std::chrono::seconds(30));
  }
  CHECK(read_file(dir + "/c.tsv") == "previous\t1\n");
  CHECK(read_file(dir + "/s.json") == "{\"previous\": true}\n");
}

TEST_CASE("count: a JSON summary like crawl's", "[warc]") {
  auto dir = temp_dir("count-summary");
  write_file(dir + "/a.html", "<p>one two</p><script>no</script>");
  write_file(dir + "/b.txt", "three");
  auto r = run_crawl({"count", dir + "/a.html", dir + "/b.txt", dir + "/missing.txt", "--summary", dir + "/s.json", "-q"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find(dir + "/missing.txt") != std::string::npos);
  auto s = json::parse(read_file(dir + "/s.json"));
  CHECK(s["words"] == 3);
  CHECK(s["exit_status"] == 1);
}

TEST_CASE("count: a file of many pieces counts every word once, Chinese cut by ICU across the pieces", "[warc]") {
  // Its words go to the totals piece by piece (memory stays flat on a huge
  // file): a word cut where a piece ends, Latin or Chinese, counts once.
  auto dir = temp_dir("count-pieces");
  std::string text;
  for (int i = 0; i < 150000; ++i) text += "alpha 我们学习 beta\n";  // about 3.6 MB: several read pieces
  write_file(dir + "/big.txt", text);
  auto r = run_crawl({"count", dir + "/big.txt", "-q", "--format", "json"});
  REQUIRE(r.exit_code == 0);
  auto counts = json::parse(r.out);
  CHECK(counts["alpha"] == 150000);
  CHECK(counts["beta"] == 150000);
  CHECK(counts["我们"] == 150000);
  CHECK(counts["学习"] == 150000);
  CHECK(counts.size() == 4);
  auto chars = json::parse(run_crawl({"count", dir + "/big.txt", "-q", "--format", "json", "--segment", "char"}).out);
  CHECK(chars["学"] == 150000);
  CHECK(chars.size() == 6);
}

TEST_CASE("state: a full disk stops the run with an error naming the state, and the next run resumes exactly",
          "[state]") {
  auto dir = temp_dir("state-full");
  small_disk disk(dir + "/disk", "96k");
  if (!disk.mounted) {
    WARN("skipped: mounting a small tmpfs needs root");
    return;
  }
  constexpr unsigned pages = 2100;
  std::string list;
  std::uint64_t apples = 0;
  for (unsigned n = 0; n < pages; ++n) {
    list += server().url("/count/" + std::to_string(n)) + "\n";
    apples += n % 5 + 1;
  }
  write_file(dir + "/urls.txt", list);
  auto args = std::vector<std::string>{dir + "/urls.txt", "-q", "-c", "16", "--state", disk.path + "/s.db", "-o",
                                       dir + "/c.tsv", "--summary", dir + "/s.json"};
  auto full = run_crawl(args);
  INFO(full.err);
  CHECK(full.exit_code == 74);  // not 1: a cron job must tell a full disk from a 404
  CHECK(full.err.find(disk.path + "/s.db") != std::string::npos);
  CHECK(full.err.find("disk full") != std::string::npos);
  auto s = json::parse(read_file(dir + "/s.json"));
  CHECK(s["ok"].get<std::uint64_t>() < pages);

  REQUIRE(disk.grow("64m"));
  auto resumed = run_crawl(args);
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(json::parse(read_file(dir + "/s.json"))["resumed"] == true);
  CHECK(read_tsv(dir + "/c.tsv")["apple"] == apples);
  CHECK(read_tsv(dir + "/c.tsv")["page"] == pages);
}

TEST_CASE("state: a symlink planted as the lock file is refused with exit 2, for crawl and crawl tail", "[state]") {
  auto dir = temp_dir("state-symlink");
  write_file(dir + "/urls.txt", urls("/etag/", 1));
  write_file(dir + "/victim", "precious\n");
  write_file(dir + "/app.log", "a line\n");
  std::filesystem::create_symlink(dir + "/victim", dir + "/s.db.lock");
  auto crawl = run_crawl({dir + "/urls.txt", "--state", dir + "/s.db", "-q"});
  CHECK(crawl.exit_code == 2);
  CHECK(crawl.err.find(dir + "/s.db.lock") != std::string::npos);
  auto tail = run_crawl({"tail", "--state", dir + "/s.db", dir + "/app.log"});
  CHECK(tail.exit_code == 2);
  CHECK(read_file(dir + "/victim") == "precious\n");
}

TEST_CASE("state: a lock file that cannot be created exits 2 with the reason, not 75", "[state]") {
  auto dir = temp_dir("state-unusable");
  write_file(dir + "/urls.txt", urls("/etag/", 1));
  write_file(dir + "/not-a-folder", "");
  auto r = run_crawl({dir + "/urls.txt", "--state", dir + "/not-a-folder/s.db", "-q"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("Not a directory") != std::string::npos);
}

TEST_CASE("outputs: runs killed at any point leave the previous file or a whole new one, and no temporary files",
          "[state]") {
  auto dir = temp_dir("atomic-kill-loop");
  write_file(dir + "/urls.txt", urls("/count/", 300));
  auto temporaries = [&] {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir))
      if (e.path().filename().string().rfind(".c.tsv.tmp.", 0) == 0) ++n;
    return n;
  };
  auto whole = run_crawl({dir + "/urls.txt", "-q", "-o", dir + "/c.tsv"});
  REQUIRE(whole.exit_code == 0);
  const std::string expected = read_file(dir + "/c.tsv");
  for (int delay_ms : {5, 20, 40, 60, 80, 100, 150, 200}) {  // before, during and after the commit
    child_process p({dir + "/urls.txt", "-q", "-o", dir + "/c.tsv"});
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    p.signal(SIGKILL);
    p.wait(std::chrono::seconds(30));
    CHECK(read_file(dir + "/c.tsv") == expected);  // the previous file, or the same counts anew
  }
  auto last = run_crawl({dir + "/urls.txt", "-q", "-o", dir + "/c.tsv"});
  REQUIRE(last.exit_code == 0);
  CHECK(read_file(dir + "/c.tsv") == expected);
  CHECK(temporaries() == 0);  // what the killed runs left was cleaned up
}

TEST_CASE("state: --wait-lock waits for the holder, then runs", "[state]") {
  auto dir = temp_dir("wait-lock");
  write_file(dir + "/urls.txt", urls("/etag/", 2));
  auto lock = crawl::storage::state_lock::acquire(dir + "/s.db", false).lock;
  REQUIRE(lock);
  child_process p({dir + "/urls.txt", "-q", "--state", dir + "/s.db", "--wait-lock", "--summary", dir + "/s.json"});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK_FALSE(std::filesystem::exists(dir + "/s.json"));  // still waiting
  lock.reset();
  auto r = p.wait(std::chrono::seconds(30));
  CHECK(r.exit_code == 0);
  CHECK(json::parse(read_file(dir + "/s.json"))["ok"] == 2);
}

TEST_CASE("warc: each response record is byte for byte what the server sent, chunking and encoding intact",
          "[warc]") {
  auto dir = temp_dir("warc-bytes");
  write_file(dir + "/urls.txt", server().url("/chunked") + "\n" + server().url("/gzip") + "\n" +
                                    server().url("/br") + "\n" + server().url("/count/5") + "\n");
  auto r = run_crawl({dir + "/urls.txt", "-q", "--warc", dir + "/a.warc.zst"});
  REQUIRE(r.exit_code == 0);
  std::string error;
  auto reader = crawl::storage::warc_reader::open(dir + "/a.warc.zst", error);
  REQUIRE(reader);
  std::map<std::string, std::string> blocks;
  crawl::storage::warc_record record;
  while (reader->next(record, error))
    if (record.type() == "response") blocks[record.headers["warc-target-uri"]] = record.block;
  REQUIRE(error.empty());
  for (const char* path : {"/chunked", "/gzip", "/br", "/count/5"}) {
    INFO(path);
    std::string sent = server().last_response(path);
    REQUIRE_FALSE(sent.empty());
    CHECK(blocks[server().url(path)] == sent);
  }
}

TEST_CASE("state: the second run sends the validators the first one stored", "[state]") {
  auto dir = temp_dir("validators");
  write_file(dir + "/urls.txt", urls("/etag/v", 1));
  auto args = std::vector<std::string>{dir + "/urls.txt", "-q", "--state", dir + "/s.db"};
  REQUIRE(run_crawl(args).exit_code == 0);
  CHECK(server().last_request("/etag/v0").find("If-None-Match") == std::string::npos);
  REQUIRE(run_crawl(args).exit_code == 0);
  std::string head = server().last_request("/etag/v0");
  CHECK(head.find("\r\nIf-None-Match: \"vv0\"\r\n") != std::string::npos);
  CHECK(head.find("\r\nIf-Modified-Since: Wed, 01 May 2024 10:00:00 GMT\r\n") != std::string::npos);
}
