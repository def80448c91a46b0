// --shard K/N end to end: N crawls of one list split its hosts, each URL
// fetched by exactly one of them, and together they count what one crawl
// counts. And crawl tail --shard over files.
#include "run_process.hpp"
#include "test_http_server.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <set>

using namespace crawl::test;
using json = nlohmann::json;

namespace {

constexpr int hosts = 20;

// --resolve for h0.test ... h19.test, all served by `server`.
std::vector<std::string> resolve_hosts(const test_http_server& server) {
  std::vector<std::string> args;
  for (int h = 0; h < hosts; ++h) {
    args.push_back("--resolve");
    args.push_back("h" + std::to_string(h) + ".test:" + std::to_string(server.port()) + ":" + server.address());
  }
  return args;
}

std::string site_list(const test_http_server& server, int pages) {
  std::string list;
  for (int n = 0; n < pages; ++n)
    list += "http://h" + std::to_string(n % hosts) + ".test:" + std::to_string(server.port()) + "/count/" +
            std::to_string(n) + "\n";
  return list;
}

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace

TEST_CASE("shards: four crawls fetch every URL once and count exactly what one crawl counts", "[cli][shard]") {
  test_http_server server("127.0.0.21");
  auto dir = temp_dir("shards");
  constexpr int pages = 400;
  write_file(dir + "/urls.txt", site_list(server, pages));
  auto base = with({dir + "/urls.txt", "-q", "-c", "32", "--per-host", "4", "--run-id", "test-run"},
                   resolve_hosts(server));
  auto whole = run_crawl(with(base, {"-o", dir + "/whole.tsv"}));
  REQUIRE(whole.exit_code == 0);
  for (int n = 0; n < pages; ++n) REQUIRE(server.requests("/count/" + std::to_string(n)) == 1);

  std::map<std::string, std::uint64_t> sum;
  std::uint64_t ok = 0, other = 0;
  std::set<int> shards_with_pages;
  for (int k = 0; k < 4; ++k) {
    auto r = run_crawl(with(base, {"--shard", std::to_string(k) + "/4", "-o", dir + "/part-{shard}.tsv", "--summary",
                                   dir + "/summary-{shard}.json"}));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    for (const auto& [word, n] : read_tsv(dir + "/part-" + std::to_string(k) + ".tsv")) sum[word] += n;
    auto summary = json::parse(read_file(dir + "/summary-" + std::to_string(k) + ".json"));
    CHECK(summary["lines"].get<int>() + summary["other_shard"].get<int>() == pages);  // its own, and the others'
    CHECK(summary["failed"] == 0);
    ok += summary["ok"].get<std::uint64_t>();
    other += summary["other_shard"].get<std::uint64_t>();
    if (summary["ok"] > 0) shards_with_pages.insert(k);
    CHECK(summary["parts"] == json::parse(R"([{"run_id": "test-run", "shard": )" + std::to_string(k) +
                                          R"(, "shards": 4}])"));
  }
  CHECK(ok == pages);
  CHECK(other == 3 * pages);
  CHECK(shards_with_pages.size() == 4);  // 20 hosts over 4 shards: none idle
  CHECK(sum == read_tsv(dir + "/whole.tsv"));
  // Each page twice in all (the whole run and one shard), each host's robots.txt twice.
  for (int n = 0; n < pages; ++n) CHECK(server.requests("/count/" + std::to_string(n)) == 2);
  CHECK(server.requests("/robots.txt") == 2 * hosts);
}

TEST_CASE("shards: -v says which shard and where it came from, the summary says what was left", "[cli][shard]") {
  test_http_server server("127.0.0.22");
  auto dir = temp_dir("shard-env");
  write_file(dir + "/urls.txt", site_list(server, 40));
  auto r = run_crawl(with({dir + "/urls.txt", "-v", "--top", "0"}, resolve_hosts(server)), "/dev/null",
                     {"SLURM_ARRAY_TASK_ID=1", "SLURM_ARRAY_TASK_COUNT=2", "SLURM_ARRAY_JOB_ID=991"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("shard 1 of 2 (from SLURM_ARRAY_TASK_ID), run slurm-991") != std::string::npos);
  CHECK(r.err.find("lines of other shards' hosts left to them") != std::string::npos);
}

TEST_CASE("shards: {shard} in a path without a shard, or a bad --shard, stops before any work", "[cli][shard]") {
  auto dir = temp_dir("shard-bad");
  write_file(dir + "/urls.txt", "http://127.0.0.1:9/\n");
  auto r = run_crawl({dir + "/urls.txt", "-o", dir + "/part-{shard}.tsv"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("-o: '" + dir + "/part-{shard}.tsv' names {shard}") != std::string::npos);
  r = run_crawl({dir + "/urls.txt", "--shard", "4/4"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--shard: '4/4' is not K/N") != std::string::npos);
  r = run_crawl({dir + "/urls.txt"}, "/dev/null", {"JOB_COMPLETION_INDEX=2"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--shards N") != std::string::npos);
}

TEST_CASE("shards: crawl tail --shard reads each file in exactly one shard", "[cli][shard]") {
  auto dir = temp_dir("tail-shard");
  std::uint64_t lines = 0;
  for (int f = 0; f < 12; ++f) {
    std::string text;
    for (int i = 0; i <= f; ++i) text += "GET /f" + std::to_string(f) + " status=200\n";
    lines += static_cast<std::uint64_t>(f + 1);
    write_file(dir + "/app-" + std::to_string(f) + ".log", text);
  }
  std::uint64_t read = 0;
  std::set<std::string> words;
  for (int k = 0; k < 3; ++k) {
    auto r = run_crawl({"tail", dir + "/app-*.log", "--shard", std::to_string(k) + "/3", "-q", "-o",
                        dir + "/words-{shard}.tsv", "--summary", dir + "/s-{shard}.json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    read += json::parse(read_file(dir + "/s-" + std::to_string(k) + ".json"))["lines"].get<std::uint64_t>();
    for (const auto& [word, n] : read_tsv(dir + "/words-" + std::to_string(k) + ".tsv"))
      if (word.starts_with("f")) CHECK(words.insert(word).second);  // a file's word in one shard only
  }
  CHECK(read == lines);
  CHECK(words.size() == 12);
}

TEST_CASE("shards: with --follow, links to other shards' hosts go to the outbox and are fetched next round, each once",
          "[cli][shard][follow]") {
  test_http_server server("127.0.0.24");
  auto dir = temp_dir("shard-outbox");
  constexpr int n = 8;
  std::string port = std::to_string(server.port());
  auto host = [&](int i) { return "http://h" + std::to_string(i % n) + ".test:" + port; };
  auto page = [](const std::string& body) {
    return test_http_server::fixed_response{200, "<!doctype html><body>" + body + "</body>", "text/html"};
  };
  std::string seeds;
  for (int i = 0; i < n; ++i) {
    std::string h = "/h" + std::to_string(i);
    // Each host's front page links to a page of its own and to a page of the next host.
    server.serve(h + "/", {page("front <a href=\"" + h + "/p1\">own</a> <a href=\"" + host(i + 1) + "/h" +
                                std::to_string((i + 1) % n) + "/x\">next</a>")});
    server.serve(h + "/p1", {page("own page")});
    server.serve(h + "/x", {page("linked from the host before")});
    seeds += host(i) + h + "/\n";
  }
  write_file(dir + "/seeds.txt", seeds);
  std::vector<std::string> common{"--follow", "--delay", "0", "-q", "--top", "0", "--run-id", "r"};
  for (int i = 0; i < n; ++i) {
    common.push_back("--resolve");
    common.push_back("h" + std::to_string(i) + ".test:" + port + ":" + server.address());
  }
  // Round 1: the seeds; round 2: what round 1 sent each shard.
  for (int round = 1; round <= 2; ++round)
    for (int k = 0; k < 2; ++k) {
      std::vector<std::string> args{dir + "/seeds.txt"};
      if (round == 2) {
        args[0] = dir + "/round-1/to-" + std::to_string(k) + ".urls";
        if (!std::filesystem::exists(args[0])) continue;
      }
      args.insert(args.end(), common.begin(), common.end());
      for (const auto& a : {std::string("--shard"), std::to_string(k) + "/2", std::string("--state"),
                            dir + "/state-{shard}.db", std::string("--outbox"), dir + "/round-" + std::to_string(round)})
        args.push_back(a);
      auto r = run_crawl(args);
      INFO("round " << round << " shard " << k << ": " << r.err);
      REQUIRE(r.exit_code == 0);
    }
  for (int i = 0; i < n; ++i) {
    std::string h = "/h" + std::to_string(i);
    INFO(h);
    CHECK(server.requests(h + "/") == 1);
    CHECK(server.requests(h + "/p1") == 1);
    CHECK(server.requests(h + "/x") == 1);
  }
  // Round 2 found nothing new for other shards.
  for (int k = 0; k < 2; ++k)
    CHECK_FALSE(std::filesystem::exists(dir + "/round-2/to-" + std::to_string(k) + ".urls"));
}
