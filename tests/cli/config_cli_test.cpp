// Job files, CRAWL_* variables and `crawl config --print`.
#include "run_process.hpp"

#include <catch2/catch.hpp>

using namespace crawl::test;

namespace {
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("config: the command line beats the environment, which beats the file", "[config]") {
  auto dir = temp_dir("config-precedence");
  write_file(dir + "/job.toml", "# a job\nurls = \"" + dir + "/urls.txt\"\ntop = 5\nretries = 1\nper-host = 2\n"
                                "header = [\"X-A: 1\", \"X-B: 2\"]\nquiet = true\n");
  auto print = [&](std::vector<std::string> extra, std::vector<std::string> env) {
    std::vector<std::string> args{"config", "--print", "--config", dir + "/job.toml"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run_crawl(args, "/dev/null", env);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
  };
  auto out = print({"--per-host", "9"}, {"CRAWL_TOP=7", "CRAWL_PER_HOST=4"});
  CHECK(contains(out, "top                = 7"));
  CHECK(contains(out, "# environment CRAWL_TOP"));
  CHECK(contains(out, "per-host           = 9"));
  CHECK(contains(out, "retries            = 1"));
  CHECK(contains(out, "job.toml:4"));  // retries
  CHECK(contains(out, "header             = X-A: 1, X-B: 2"));
  CHECK(contains(out, "quiet              = true"));
  CHECK(contains(out, "concurrency        = 512                          # default"));
}

TEST_CASE("config: unknown keys and wrong types name the file, line and key", "[config]") {
  auto dir = temp_dir("config-errors");
  write_file(dir + "/unknown.toml", "top = 3\nconcurency = 5\n");
  auto r1 = run_crawl({"urls.txt", "--config", dir + "/unknown.toml"});
  CHECK(r1.exit_code == 2);
  CHECK(contains(r1.err, dir + "/unknown.toml:2: key 'concurency': no such option"));
  write_file(dir + "/flag.toml", "\nquiet = \"yes\"\n");
  auto r2 = run_crawl({"urls.txt", "--config", dir + "/flag.toml"});
  CHECK(r2.exit_code == 2);
  CHECK(contains(r2.err, dir + "/flag.toml:2: key 'quiet': must be true or false"));
  write_file(dir + "/value.toml", "top = \"many\"\n");
  auto r3 = run_crawl({"urls.txt", "--config", dir + "/value.toml"});
  CHECK(r3.exit_code == 2);
  CHECK(contains(r3.err, dir + "/value.toml:1: key 'top': 'many' is not a whole number from 0 to 1000000"));
  write_file(dir + "/broken.toml", "top = [\n");
  auto r4 = run_crawl({"urls.txt", "--config", dir + "/broken.toml"});
  CHECK(r4.exit_code == 2);
  CHECK(contains(r4.err, dir + "/broken.toml:1"));
  auto r5 = run_crawl({"urls.txt", "--config", dir + "/missing.toml"});
  CHECK(r5.exit_code == 2);
  CHECK(contains(r5.err, dir + "/missing.toml"));
}

TEST_CASE("config: the example job file is valid", "[config]") {
  auto r = run_crawl({"config", "--print", "--config", CRAWL_SOURCE_DIR "/examples/job.toml"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "state              = /var/lib/crawl/crawl.db"));
}
