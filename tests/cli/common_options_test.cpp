// The options every subcommand shares mean the same thing in each: the same
// command line, run as `crawl`, `crawl tail` and `crawl count`, behaves the
// same way (see config/common_settings.hpp for the rule).
#include "run_process.hpp"
#include "test_http_server.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>

using namespace crawl::test;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// One subcommand with an input it reads without error.
struct subcommand {
  std::string name;                // for messages
  std::vector<std::string> words;  // {} for crawl, {"tail"}, {"count"}
  std::string input;               // a readable input
  std::string input_text;          // what stdin gives for "-"
  std::string summary_start;       // how its run summary begins on stderr
  std::string rarer_word;          // a word of the input that is not the most frequent

  std::vector<std::string> args(std::vector<std::string> more) const {
    std::vector<std::string> all = words;
    all.insert(all.end(), more.begin(), more.end());
    return all;
  }
};

std::vector<subcommand> subcommands(const std::string& dir) {
  std::string list = shared_test_server().url("/count/3") + "\n" + shared_test_server().url("/count/4") + "\n";
  write_file(dir + "/urls.txt", list);
  write_file(dir + "/app.log", "2026-01-01T10:00:00 apple banana\n2026-01-01T10:00:01 apple cherry\n");
  write_file(dir + "/page.html", "<p>apple banana apple</p>");
  return {
      {"crawl", {}, dir + "/urls.txt", list, "done: ", "page"},
      {"crawl tail", {"tail"}, dir + "/app.log", "apple pie\n", "tail: ", "banana"},
      {"crawl count", {"count"}, dir + "/page.html", "apple pie\n", "count: ", "banana"},
  };
}

// The data rows of a table on stdout ("    1  apple  3  25.00%").
int table_rows(const std::string& out) {
  std::istringstream in(out);
  int rows = 0;
  for (std::string line; std::getline(in, line);) {
    auto first = line.find_first_not_of(' ');
    if (first != std::string::npos && line.size() > first && std::isdigit(static_cast<unsigned char>(line[first])) &&
        contains(line, "%"))
      ++rows;
  }
  return rows;
}

bool every_line_is_json(const std::string& text) {
  std::istringstream in(text);
  int lines = 0;
  for (std::string line; std::getline(in, line); ++lines)
    if (!json::accept(line)) return false;
  return lines > 0;
}

}  // namespace

TEST_CASE("common options: the table on stdout, the summary on stderr, -q removes only the summary", "[cli][common]") {
  auto dir = temp_dir("common-streams");
  for (const auto& c : subcommands(dir)) {
    INFO(c.name);
    auto plain = run_crawl(c.args({c.input}));
    INFO(plain.err);
    REQUIRE(plain.exit_code == 0);
    CHECK(table_rows(plain.out) > 0);
    CHECK(plain.err.rfind(c.summary_start, 0) == 0);
    auto quiet = run_crawl(c.args({c.input, "-q"}));
    CHECK(quiet.exit_code == 0);
    CHECK(quiet.out == plain.out);
    CHECK(quiet.err.empty());
    auto none = run_crawl(c.args({c.input, "--top", "0", "-q"}));
    CHECK(none.exit_code == 0);
    CHECK(none.out.empty());
    auto two = run_crawl(c.args({c.input, "--top", "2"}));
    CHECK(table_rows(two.out) == 2);
  }
}

TEST_CASE("common options: -o FILE is the complete result in its extension's format, -o - puts it on stdout",
          "[cli][common]") {
  auto dir = temp_dir("common-output");
  for (const auto& c : subcommands(dir)) {
    INFO(c.name);
    // Any case; a missing folder is created; stdout keeps the table.
    std::string own = dir + "/" + (c.words.empty() ? "crawl" : c.words[0]);
    std::string file = own + "/new/folder/OUT.JSON";
    auto r = run_crawl(c.args({c.input, "-q", "--top", "1", "-o", file}));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(table_rows(r.out) == 1);
    auto written = json::parse(read_file(file));
    CHECK(written.dump().find("apple") != std::string::npos);
    // Complete whatever --top says: more than one word is in it.
    CHECK(written.dump().find(c.rarer_word) != std::string::npos);

    auto to_stdout = run_crawl(c.args({c.input, "-q", "--top", "1", "-o", "-"}));
    REQUIRE(to_stdout.exit_code == 0);
    CHECK(json::accept(to_stdout.out));
    CHECK(contains(to_stdout.out, c.rarer_word));

    auto tsv = run_crawl(c.args({c.input, "-q", "-o", "-", "--format", "tsv"}));
    CHECK(tsv.exit_code == 0);
    CHECK(contains(tsv.out, "apple\t"));
    auto csv = run_crawl(c.args({c.input, "-q", "--format", "csv"}));
    CHECK(csv.exit_code == 0);
    CHECK(csv.out.rfind("word,count\n", 0) == 0);
    auto tsv_file = run_crawl(c.args({c.input, "-q", "-o", dir + "/c.Tsv"}));
    CHECK(tsv_file.exit_code == 0);
    CHECK(contains(read_file(dir + "/c.Tsv"), "apple\t"));
  }
}

TEST_CASE("common options: a --format that contradicts -o's extension, or an unknown extension, is an error naming both",
          "[cli][common]") {
  auto dir = temp_dir("common-conflict");
  for (const auto& c : subcommands(dir)) {
    INFO(c.name);
    auto conflict = run_crawl(c.args({c.input, "-o", dir + "/out.tsv", "--format", "json"}));
    CHECK(conflict.exit_code == 2);
    CHECK(contains(conflict.err, "--format json conflicts with -o " + dir + "/out.tsv"));
    CHECK(conflict.out.empty());
    CHECK_FALSE(fs::exists(dir + "/out.tsv"));
    auto unknown = run_crawl(c.args({c.input, "-o", dir + "/out.txt"}));
    CHECK(unknown.exit_code == 2);
    CHECK(contains(unknown.err, "-o " + dir + "/out.txt: the extension must be .tsv, .csv or .json"));
    auto named = run_crawl(c.args({c.input, "-q", "-o", dir + "/out.txt", "--format", "csv"}));
    CHECK(named.exit_code == 0);
    CHECK(read_file(dir + "/out.txt").rfind("word,count\n", 0) == 0);
  }
}

TEST_CASE("common options: --summary, --log-format, --threads, CRAWL_TOP and --config work in every subcommand",
          "[cli][common]") {
  auto dir = temp_dir("common-settings");
  write_file(dir + "/job.toml", "top = 1\nthreads = 1\n");
  for (const auto& c : subcommands(dir)) {
    INFO(c.name);
    auto r = run_crawl(c.args({c.input, "--summary", dir + "/s.json", "--log-format", "json", "--threads", "1"}));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(json::parse(read_file(dir + "/s.json"))["exit_status"] == 0);
    CHECK(every_line_is_json(r.err));
    auto env = run_crawl(c.args({c.input, "-q"}), "/dev/null", {"CRAWL_TOP=1"});
    CHECK(table_rows(env.out) == 1);
    auto job = run_crawl(c.args({c.input, "-q", "--config", dir + "/job.toml"}));
    INFO(job.err);
    CHECK(job.exit_code == 0);
    CHECK(table_rows(job.out) == 1);
    auto both = run_crawl(c.args({c.input, "-q", "-v"}));
    CHECK(both.exit_code == 2);
    CHECK(contains(both.err, "-q/--quiet and -v/--verbose exclude each other"));
  }
}

TEST_CASE("common options: - reads standard input in every subcommand", "[cli][common]") {
  auto dir = temp_dir("common-stdin");
  for (const auto& c : subcommands(dir)) {
    INFO(c.name);
    write_file(dir + "/stdin", c.input_text);
    auto r = run_crawl(c.args({"-", "-q", "-o", "-"}), dir + "/stdin");
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "apple"));
  }
}

TEST_CASE("common options: a missing or unreadable input is exit 2 before any work, 1 beside a readable one",
          "[cli][common]") {
  auto dir = temp_dir("common-missing");
  for (const auto& c : subcommands(dir)) {
    INFO(c.name);
    auto missing = run_crawl(c.args({dir + "/nope", "-o", dir + "/out.json", "--summary", dir + "/s.json"}));
    CHECK(missing.exit_code == 2);
    CHECK(contains(missing.err, dir + "/nope: No such file or directory"));
    CHECK(missing.out.empty());
    CHECK_FALSE(fs::exists(dir + "/out.json"));
    CHECK(json::parse(read_file(dir + "/s.json"))["exit_status"] == 2);
    auto folder = run_crawl(c.args({dir}));
    CHECK(folder.exit_code == 2);
    CHECK(contains(folder.err, dir + ": is a folder"));
    if (c.words.empty()) continue;  // crawl reads one list
    auto some = run_crawl(c.args({dir + "/nope", c.input, "-q"}));
    CHECK(some.exit_code == 1);
    CHECK(table_rows(some.out) > 0);
    CHECK(contains(some.err, dir + "/nope: No such file or directory"));
  }
}

TEST_CASE("common options: an output path that cannot be written stops the run before any work", "[cli][common]") {
  auto dir = temp_dir("common-bad-output");
  fs::create_directories(dir + "/a-folder");
  for (const auto& c : subcommands(dir)) {
    INFO(c.name);
    auto before = shared_test_server().requests("/count/3");
    auto summary = run_crawl(c.args({c.input, "--summary", dir + "/a-folder"}));
    CHECK(summary.exit_code == 2);
    CHECK(contains(summary.err, dir + "/a-folder: is a folder"));
    CHECK(summary.out.empty());
    auto output = run_crawl(c.args({c.input, "-o", dir + "/a-folder"}));
    CHECK(output.exit_code == 2);
    CHECK(shared_test_server().requests("/count/3") == before);  // crawl fetched nothing
  }
}

TEST_CASE("common options: an output that cannot be written exits 74, in every subcommand", "[cli][common]") {
  auto dir = temp_dir("common-full-disk");
  small_disk disk(dir + "/disk", "8k");
  if (!disk.mounted) {
    WARN("skipped: mounting a small tmpfs needs root");
    return;
  }
  // 20,000 distinct words: their complete counts do not fit in 8 KiB. (crawl
  // writes through the same code; its test pages hold too few words.)
  std::string words;
  for (int i = 0; i < 20000; ++i) words += "w" + std::to_string(i) + "x\n";
  write_file(dir + "/words.txt", words);
  for (const auto& c : subcommands(dir)) {
    if (c.words.empty()) continue;
    INFO(c.name);
    auto r = run_crawl(c.args({dir + "/words.txt", "-q", "--top", "0", "-o", disk.path + "/out.tsv"}));
    INFO(r.err);
    CHECK(r.exit_code == 74);
    CHECK(contains(r.err, disk.path + "/out.tsv"));
    CHECK_FALSE(fs::exists(disk.path + "/out.tsv"));
  }
}

TEST_CASE("common options: errors name the option, the value and what is accepted", "[cli][common]") {
  auto dir = temp_dir("common-errors");
  for (const auto& c : subcommands(dir)) {
    INFO(c.name);
    std::string prefix = c.name + ": ";
    auto bogus = run_crawl(c.args({c.input, "--bogus"}));
    CHECK(bogus.exit_code == 2);
    CHECK(contains(bogus.err, prefix + "unknown option --bogus"));
    auto top = run_crawl(c.args({c.input, "--top", "abc"}));
    CHECK(top.exit_code == 2);
    CHECK(contains(top.err, prefix + "--top: 'abc' is not a whole number from 0 to 1000000"));
    auto threads = run_crawl(c.args({c.input, "--threads", "-1"}));
    CHECK(threads.exit_code == 2);
    CHECK(contains(threads.err, "--threads: '-1' is not a whole number from 0 to 1024"));
    auto format = run_crawl(c.args({c.input, "--format", "xml"}));
    CHECK(format.exit_code == 2);
    CHECK(contains(format.err, "--format: 'xml' is not one of table|tsv|csv|json"));
    auto nothing = run_crawl(c.args({}));
    CHECK(nothing.exit_code == 2);
    CHECK(contains(nothing.err, "nothing to read"));
    write_file(dir + "/two-errors.toml", "top = \"many\"\nthreads = 5000\nno-such-key = 1\n");
    auto job = run_crawl(c.args({c.input, "--config", dir + "/two-errors.toml"}));
    CHECK(job.exit_code == 2);
    CHECK(contains(job.err, "two-errors.toml:1: key 'top'"));
    CHECK(contains(job.err, "two-errors.toml:2: key 'threads': '5000' is not a whole number from 0 to 1024"));
    CHECK(contains(job.err, "two-errors.toml:3: key 'no-such-key': no such option"));
    auto missing_job = run_crawl(c.args({c.input, "--config", dir + "/nope.toml"}));
    CHECK(missing_job.exit_code == 2);
    CHECK(contains(missing_job.err, "--config: " + dir + "/nope.toml: No such file or directory"));
  }
}

TEST_CASE("help: crawl help COMMAND is crawl COMMAND --help, on stdout, with defaults, exit 0", "[cli][help]") {
  auto overview = run_crawl({"--help"});
  CHECK(overview.exit_code == 0);
  CHECK(run_crawl({"help"}).out == overview.out);
  for (const char* word : {"crawl tail", "crawl count", "crawl config --print", "crawl help", "Examples:"})
    CHECK(contains(overview.out, word));
  CHECK(contains(overview.out, "Usage: crawl [OPTIONS] URLS..."));  // not the path the binary was started by
  for (const char* sub : {"tail", "count"}) {
    INFO(sub);
    auto help = run_crawl({"help", sub});
    CHECK(help.exit_code == 0);
    CHECK(help.out == run_crawl({sub, "--help"}).out);
    CHECK(contains(help.out, std::string("Usage: crawl ") + sub + " [OPTIONS] FILE..."));
    CHECK(contains(help.out, "--top N=20"));
    CHECK(contains(help.out, "--format table|tsv|csv|json=table"));
    CHECK(run_crawl({sub, "--version"}).out == run_crawl({"--version"}).out);
  }
  auto tail = run_crawl({"help", "tail"});
  CHECK(contains(tail.out, "--every SECONDS=10"));
  CHECK(contains(tail.out, "--max-line SIZE=1MiB"));
  auto config = run_crawl({"config", "--help"});
  CHECK(config.exit_code == 0);
  CHECK(contains(config.out, "Usage: crawl config --print"));
  CHECK(run_crawl({"help", "config"}).out == config.out);
  auto unknown = run_crawl({"help", "nope"});
  CHECK(unknown.exit_code == 2);
  CHECK(contains(unknown.err, "there is no command 'nope'"));
}

TEST_CASE("config --print works for every subcommand and needs no input", "[cli][help]") {
  auto crawl = run_crawl({"config", "--print", "--top", "3"});
  CHECK(crawl.exit_code == 0);
  CHECK(contains(crawl.out, "top                = 3                            # command line"));
  CHECK(contains(crawl.out, "concurrency"));
  auto tail = run_crawl({"config", "--print", "tail"}, "/dev/null", {"CRAWL_TOP=4"});
  CHECK(tail.exit_code == 0);
  CHECK(contains(tail.out, "top                = 4                            # environment CRAWL_TOP"));
  CHECK(contains(tail.out, "every"));
  auto count = run_crawl({"config", "--print", "count", "--threads", "2"});
  CHECK(count.exit_code == 0);
  CHECK(contains(count.out, "threads            = 2"));
}
