// The tests' main: each test process works in a scratch directory of its own
// (TMPDIR points there, for the tests and the programs they start) and removes
// it when it ends, so no run leaves files behind. A failed run keeps it for a
// look and says where; CRAWL_KEEP_TEST_FILES=1 keeps it always.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>

namespace {

std::string make_scratch_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/crawl-test-XXXXXX";
  if (!::mkdtemp(pattern.data())) return {};
  ::setenv("TMPDIR", pattern.c_str(), 1);
  return pattern;
}

// Listing tests (as CTest does at build time) ran none, whatever it returns:
// Catch returns the number listed.
bool listed_only(const Catch::ConfigData& c) {
  return c.listTests || c.listTestNamesOnly || c.listTags || c.listReporters || c.showHelp;
}

bool keep_files(int failed) {
  const char* keep = std::getenv("CRAWL_KEEP_TEST_FILES");
  return failed != 0 || (keep && std::string(keep) == "1");
}

}  // namespace

int main(int argc, char* argv[]) {
  const std::string scratch = make_scratch_dir();
  Catch::Session session;
  int failed = session.applyCommandLine(argc, argv);
  if (failed == 0) failed = session.run();
  if (!scratch.empty()) {
    if (!listed_only(session.configData()) && keep_files(failed)) {
      std::fprintf(stderr, "test files kept in %s\n", scratch.c_str());
    } else {
      std::error_code ignored;
      std::filesystem::remove_all(scratch, ignored);
    }
  }
  return failed;
}
