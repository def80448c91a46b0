// crawl merge end to end: word counts of any format, run summaries of
// shards, crawl tail partial results; inputs given twice and shards missing.
#include "run_process.hpp"
#include "test_http_server.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>

using namespace crawl::test;
using json = nlohmann::json;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

void write_three_formats(const std::string& dir) {
  write_file(dir + "/a.tsv", "apple\t3\nback\\\\slash\t2\ntab\\tinside\t1\n");
  write_file(dir + "/b.csv", "word,count\napple,2\n\"comma,word\",5\n\"line\nbreak\",1\n");
  write_file(dir + "/c.json", "{\"apple\": 1, \"\\u4e2d\\u6587\": 4, \"comma,word\": 1}");
}

}  // namespace

TEST_CASE("merge: word counts in TSV, CSV and JSON sum exactly, the same in any order and merged again",
          "[cli][merge]") {
  auto dir = temp_dir("merge-formats");
  write_three_formats(dir);
  auto r = run_crawl({"merge", dir + "/a.tsv", dir + "/b.csv", dir + "/c.json", "-o", dir + "/all.json", "-q"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto all = json::parse(read_file(dir + "/all.json"));
  CHECK(all == json::parse(R"({"comma,word": 6, "apple": 6, "\u4e2d\u6587": 4, "back\\slash": 2,
                               "line\nbreak": 1, "tab\tinside": 1})"));
  // Any order, and in two steps through a merged file: the same bytes.
  REQUIRE(run_crawl({"merge", dir + "/c.json", dir + "/a.tsv", dir + "/b.csv", "-o", dir + "/again.tsv", "-q"}).exit_code == 0);
  REQUIRE(run_crawl({"merge", dir + "/b.csv", dir + "/a.tsv", "-o", dir + "/ab.csv", "-q"}).exit_code == 0);
  REQUIRE(run_crawl({"merge", dir + "/ab.csv", dir + "/c.json", "-o", dir + "/two-steps.tsv", "-q"}).exit_code == 0);
  CHECK(read_file(dir + "/two-steps.tsv") == read_file(dir + "/again.tsv"));
  // With the counts sorted on disk in pieces: the same bytes again.
  REQUIRE(run_crawl({"merge", dir + "/a.tsv", dir + "/b.csv", dir + "/c.json", "--memory", "1", "-o",
                     dir + "/spilled.tsv", "-q"}).exit_code == 0);
  CHECK(read_file(dir + "/spilled.tsv") == read_file(dir + "/again.tsv"));
}

TEST_CASE("merge: an input given twice is an error naming both, and nothing is written", "[cli][merge]") {
  auto dir = temp_dir("merge-twice");
  write_three_formats(dir);
  std::filesystem::copy_file(dir + "/a.tsv", dir + "/copy.tsv");
  for (const auto& second : {dir + "/a.tsv", dir + "/./a.tsv", dir + "/copy.tsv"}) {
    auto r = run_crawl({"merge", dir + "/a.tsv", dir + "/b.csv", second, "-o", dir + "/out.tsv"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, dir + "/a.tsv and " + second));
    CHECK_FALSE(std::filesystem::exists(dir + "/out.tsv"));
  }
}

TEST_CASE("merge: a malformed count file is named with the line, and nothing is written", "[cli][merge]") {
  auto dir = temp_dir("merge-bad");
  write_three_formats(dir);
  write_file(dir + "/bad.tsv", "fine\t1\nbroken\tmany\n");
  auto r = run_crawl({"merge", dir + "/a.tsv", dir + "/bad.tsv", "-o", dir + "/out.tsv"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, dir + "/bad.tsv: line 2: not \"word<TAB>count\" with a whole count"));
  CHECK_FALSE(std::filesystem::exists(dir + "/out.tsv"));
  write_file(dir + "/bad.json", "{\"a\": 1, \"b\": 2.5}");
  r = run_crawl({"merge", dir + "/bad.json"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, dir + "/bad.json: the count of \"b\" is a number that is not whole"));
  write_file(dir + "/huge.tsv", "a\t18446744073709551615\n");
  r = run_crawl({"merge", dir + "/huge.tsv", dir + "/a.tsv"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "the count of \"a"));  // "apple" is fine; "a" alone is not in a.tsv: no overflow
  write_file(dir + "/huge2.tsv", "apple\t18446744073709551615\n");
  r = run_crawl({"merge", dir + "/huge2.tsv", dir + "/a.tsv"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "the count of \"apple\" passes 2^64-1"));
  r = run_crawl({"merge", dir + "/missing.tsv", dir + "/a.tsv"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, dir + "/missing.tsv"));
}

namespace {

constexpr int hosts = 12;

std::vector<std::string> site_args(const test_http_server& server, const std::string& list) {
  std::vector<std::string> args{list, "-q", "-c", "16", "--per-host", "4", "--run-id", "nightly"};
  for (int h = 0; h < hosts; ++h) {
    args.push_back("--resolve");
    args.push_back("h" + std::to_string(h) + ".test:" + std::to_string(server.port()) + ":" + server.address());
  }
  return args;
}

std::vector<std::string> plus(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST_CASE("merge: shards' counts and summaries merge into what one run gives, a missing shard stops it",
          "[cli][merge][shard]") {
  test_http_server server("127.0.0.23");
  auto dir = temp_dir("merge-shards");
  std::string list;
  for (int n = 0; n < 120; ++n)
    list += "http://h" + std::to_string(n % hosts) + ".test:" + std::to_string(server.port()) + "/count/" +
            std::to_string(n) + "\n";
  list += "http://h0.test:" + std::to_string(server.port()) + "/missing\n";  // one 404
  write_file(dir + "/urls.txt", list);
  auto base = site_args(server, dir + "/urls.txt");
  auto whole = run_crawl(plus(base, {"-o", dir + "/whole.tsv", "--summary", dir + "/whole.json"}));
  REQUIRE(whole.exit_code == 1);  // the 404
  for (int k = 0; k < 3; ++k)
    REQUIRE(run_crawl(plus(base, {"--shard", std::to_string(k) + "/3", "-o", dir + "/part-{shard}.tsv", "--summary",
                                  dir + "/summary-{shard}.json"})).exit_code <= 1);
  auto r = run_crawl({"merge", dir + "/part-0.tsv", dir + "/part-1.tsv", dir + "/part-2.tsv", dir + "/summary-2.json",
                      dir + "/summary-0.json", dir + "/summary-1.json", "-o", dir + "/total.tsv", "--summary",
                      dir + "/total.json", "-q"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(read_file(dir + "/total.tsv") == read_file(dir + "/whole.tsv"));
  auto total = json::parse(read_file(dir + "/total.json"));
  auto one = json::parse(read_file(dir + "/whole.json"));
  for (const char* key : {"lines", "ok", "failed", "bytes", "words", "distinct_words", "status_codes", "failed_by_reason"})
    CHECK(total[key] == one[key]);
  CHECK(total["other_shard"] == 2 * one["lines"].get<int>());
  CHECK(total["parts"].size() == 3);
  CHECK(total["exit_status"] == 1);

  // A shard missing: reported, nothing written, exit 1; --allow-missing merges what there is.
  r = run_crawl({"merge", dir + "/summary-0.json", dir + "/summary-2.json", "--summary", dir + "/partial.json"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "run nightly: 1 of 3 shards missing: 1"));
  CHECK_FALSE(std::filesystem::exists(dir + "/partial.json"));
  r = run_crawl({"merge", dir + "/summary-0.json", dir + "/summary-2.json", "--summary", dir + "/partial.json",
                 "--allow-missing"});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.err, "run nightly: 1 of 3 shards missing: 1"));
  CHECK(std::filesystem::exists(dir + "/partial.json"));
  // The merged summary merges again: with the missing shard it is complete, with a shard it holds, a conflict.
  r = run_crawl({"merge", dir + "/partial.json", dir + "/summary-1.json", "--summary", dir + "/again.json", "-q"});
  CHECK(r.exit_code == 0);
  CHECK(json::parse(read_file(dir + "/again.json"))["ok"] == total["ok"]);
  r = run_crawl({"merge", dir + "/partial.json", dir + "/summary-1.json", dir + "/summary-2.json"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, dir + "/partial.json and " + dir + "/summary-2.json both hold shard 2 of 3 of run nightly"));

  // A shard that ended early (here: interrupted) counted only part of its share: as good as missing.
  auto interrupted = json::parse(read_file(dir + "/summary-1.json"));
  interrupted["exit_status"] = 130;
  interrupted["interrupted"] = true;
  write_file(dir + "/summary-1.json", interrupted.dump());  // members now in sorted order, as jq -S writes them
  r = run_crawl({"merge", dir + "/summary-0.json", dir + "/summary-1.json", dir + "/summary-2.json", "--summary",
                 dir + "/cut.json"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, dir + "/summary-1.json: the run ended with exit status 130 (interrupted)"));
  CHECK_FALSE(std::filesystem::exists(dir + "/cut.json"));
  // A shard that never started says which shard it was, and is as incomplete.
  auto never = run_crawl(plus(base, {"--shard", "1/3", "--summary", dir + "/never.json", "-o", dir + "/urls.txt/x.tsv"}));
  CHECK(never.exit_code == 2);
  auto never_summary = json::parse(read_file(dir + "/never.json"));
  CHECK(never_summary["parts"] == json::parse(R"([{"run_id": "nightly", "shard": 1, "shards": 3}])"));
  r = run_crawl({"merge", dir + "/summary-0.json", dir + "/never.json", dir + "/summary-2.json"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, dir + "/never.json: the run ended with exit status 2"));
}

TEST_CASE("merge: crawl tail partial results merge into the answer of one run over all the files", "[cli][merge]") {
  auto dir = temp_dir("merge-tail");
  std::string a, b;
  for (int i = 0; i < 300; ++i) {
    std::string line = "status=" + std::to_string(i % 7 == 0 ? 500 : 200) + " ms=" + std::to_string(i % 53) +
                       " path=/p" + std::to_string(i % 11) + "\n";
    (i % 3 ? a : b) += line;
  }
  write_file(dir + "/a.log", a);
  write_file(dir + "/b.log", b);
  std::vector<std::string> question{"--by", "status", "--p99", "ms", "--sum", "ms", "--distinct", "path", "-q"};
  auto whole = run_crawl(plus({"tail", dir + "/a.log", dir + "/b.log", "-o", dir + "/whole.json"}, question));
  REQUIRE(whole.exit_code == 0);
  for (const char* part : {"a", "b"})
    REQUIRE(run_crawl(plus({"tail", dir + "/" + part + ".log", "--summary-state", dir + "/" + part + ".partial.json"},
                           question)).exit_code == 0);
  auto r = run_crawl({"merge", dir + "/b.partial.json", dir + "/a.partial.json", "-o", dir + "/merged.json",
                      "--summary-state", dir + "/ab.partial.json", "-q"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto merged = json::parse(read_file(dir + "/merged.json"));
  auto one = json::parse(read_file(dir + "/whole.json"));
  CHECK(merged["rows"] == one["rows"]);
  CHECK(merged["lines"] == one["lines"]);
  // The table too, and the merged partial results give the same answer again.
  auto table = run_crawl({"merge", dir + "/ab.partial.json"});
  CHECK(table.exit_code == 0);
  CHECK(contains(table.out, "p99(ms)"));
  REQUIRE(run_crawl({"merge", dir + "/ab.partial.json", "-o", dir + "/again.json", "-q"}).exit_code == 0);
  CHECK(json::parse(read_file(dir + "/again.json"))["rows"] == one["rows"]);
  // A different question cannot be merged in.
  REQUIRE(run_crawl({"tail", dir + "/a.log", "--by", "path", "--summary-state", dir + "/other.json", "-q"}).exit_code == 0);
  r = run_crawl({"merge", dir + "/ab.partial.json", dir + "/other.json"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "answer different questions"));
}

TEST_CASE("merge: --summary-state or -o with nothing of that kind to write is an error, before any work", "[cli][merge]") {
  auto dir = temp_dir("merge-nothing");
  write_three_formats(dir);
  auto r = run_crawl({"merge", dir + "/a.tsv", "--summary-state", dir + "/p.json"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "--summary-state " + dir + "/p.json: there are no crawl tail partial results to write"));
  CHECK_FALSE(std::filesystem::exists(dir + "/p.json"));
  r = run_crawl({"merge"});
  CHECK(r.exit_code == 2);
}
