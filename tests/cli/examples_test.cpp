// The scheduling examples run as written: examples/cron/crontab's lines and
// crawl.service's ExecStart, with examples/job.toml, in a fresh folder that
// stands for / (only /srv and /var are moved there), after the set-up steps
// of examples/cron/README.md and nothing more (no output folder made by hand).
#include "run_process.hpp"
#include "test_http_server.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <regex>
#include <sstream>

using namespace crawl::test;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The example's text with /srv/ and /var/ moved under `root`.
std::string moved(std::string text, const std::string& root) {
  text = std::regex_replace(text, std::regex("(^|[\\s\"=])/srv/"), "$1" + root + "/srv/");
  return std::regex_replace(text, std::regex("(^|[\\s\"=])/var/"), "$1" + root + "/var/");
}

// The commands of a crontab, as cron hands them to /bin/sh: the five time
// fields dropped, "\%" made "%" (a bare % would end the command).
std::vector<std::string> crontab_commands(const std::string& crontab) {
  std::vector<std::string> commands;
  std::istringstream in(crontab);
  for (std::string line; std::getline(in, line);) {
    auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#' || line.find('=') < line.find(' ', first)) continue;
    std::istringstream fields(line);
    std::string field;
    for (int i = 0; i < 5; ++i) fields >> field;
    std::string command;
    std::getline(fields, command);
    command = std::regex_replace(command, std::regex("\\\\%"), "%");
    commands.push_back(command.substr(command.find_first_not_of(' ')));
  }
  return commands;
}

// The folders README.md's set-up creates, the job file, a URL list and a log.
std::string set_up(const std::string& root) {
  fs::create_directories(root + "/srv/crawl");
  fs::create_directories(root + "/var/lib/crawl");
  fs::create_directories(root + "/var/log/app");
  write_file(root + "/srv/crawl/job.toml", moved(read_file(CRAWL_SOURCE_DIR "/examples/job.toml"), root));
  write_file(root + "/srv/crawl/urls.txt",
             shared_test_server().url("/count/1") + "\n" + shared_test_server().url("/count/2") + "\n");
  write_file(root + "/var/log/app/app.log", "2026-11-30T01:00:00 GET /a 200\n2026-11-30T01:00:05 GET /b 404\n");
  // On the machine, the crawl binary is on cron's PATH; here, the one built.
  return "PATH=" + fs::path(CRAWL_BINARY).parent_path().string() + ":/usr/bin:/bin";
}

}  // namespace

TEST_CASE("examples: the crontab's commands run as written, silent, with outputs in folders they create",
          "[examples]") {
  auto root = temp_dir("examples-cron");
  std::string path = set_up(root);
  auto commands = crontab_commands(read_file(CRAWL_SOURCE_DIR "/examples/cron/crontab"));
  REQUIRE(commands.size() == 2);
  for (const auto& command : commands) {
    INFO(command);
    auto r = run_program({"sh", "-c", moved(command, root)}, {path});
    CHECK(r.exit_code == 0);
    CHECK(r.out.empty());  // cron mails whatever a job prints: nothing when all went well
    CHECK(r.err.empty());
  }
  auto summary = json::parse(read_file(root + "/srv/crawl/out/summary.json"));
  CHECK(summary["ok"] == 2);
  CHECK(fs::exists(root + "/srv/crawl/out/counts.tsv"));
  std::vector<fs::path> tail_outputs;
  for (const auto& e : fs::directory_iterator(root + "/srv/crawl/out"))
    if (e.path().filename().string().rfind("app-log-", 0) == 0) tail_outputs.push_back(e.path());
  REQUIRE(tail_outputs.size() == 1);
  CHECK(std::regex_match(tail_outputs[0].filename().string(), std::regex(R"(app-log-\d{8}T\d{4}Z\.json)")));
  auto tail = json::parse(read_file(tail_outputs[0].string()));
  CHECK(tail["lines"] == 2);
  CHECK(tail["first_time"] == "2026-11-30T01:00:00Z");
  CHECK(tail["last_time"] == "2026-11-30T01:00:05Z");
  CHECK(tail["read"][0]["from"] == 0);
  CHECK(tail["read"][0]["to"] == 62);
}

TEST_CASE("examples: crawl.service's command runs as written and its exit statuses are chosen", "[examples]") {
  auto root = temp_dir("examples-service");
  std::string path = set_up(root);
  std::string unit = read_file(CRAWL_SOURCE_DIR "/examples/cron/crawl.service");
  std::smatch exec;
  REQUIRE(std::regex_search(unit, exec, std::regex("\nExecStart=/usr/bin/crawl (.*)\n")));
  auto r = run_program({"sh", "-c", "crawl " + moved(exec[1].str(), root)}, {path});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(fs::exists(root + "/srv/crawl/out/counts.tsv"));
  // 1 (some URLs failed), 75 (locked), 130 (deadline, resumed next time) are
  // not failures of the job; 2, 70 and 74 are.
  CHECK(unit.find("\nSuccessExitStatus=1 75 130\n") != std::string::npos);
}
