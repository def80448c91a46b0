// What `cmake --install` and `cpack -G DEB` deliver: the binary, a man page
// per command, bash completion and the examples, each shown to work from
// the installed tree.
#include "run_process.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace crawl::test;
namespace fs = std::filesystem;

namespace {
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("install: cmake --install puts a working binary, man pages, completion and examples under the prefix",
          "[install]") {
  auto prefix = temp_dir("install-prefix");
  auto install = run_program({CRAWL_CMAKE, "--install", CRAWL_BUILD_DIR, "--prefix", prefix});
  INFO(install.err);
  REQUIRE(install.exit_code == 0);
  auto version = run_program({prefix + "/bin/crawl", "--version"});
  CHECK(version.exit_code == 0);
  CHECK(contains(version.out, "crawl "));
  for (const char* page : {"crawl", "crawl-tail", "crawl-count", "crawl-config"}) {
    INFO(page);
    std::string path = prefix + "/share/man/man1/" + page + ".1";
    REQUIRE(fs::exists(path));
    auto man = run_program({"man", "-l", path}, {"MANPAGER=cat", "MANWIDTH=100"});
    CHECK(man.exit_code == 0);
    CHECK(contains(man.out, "NAME"));
    CHECK(contains(man.out, std::string(page) == "crawl-config" ? "--print" : "--top"));
  }
  CHECK(contains(run_program({"man", "-l", prefix + "/share/man/man1/crawl-tail.1"}, {"MANPAGER=cat"}).out, "--follow"));
  CHECK(fs::exists(prefix + "/share/doc/crawl/examples/cron/crontab"));
  CHECK(fs::exists(prefix + "/share/doc/crawl/examples/job.toml"));
  CHECK(fs::exists(prefix + "/share/doc/crawl/README.md"));

  // The completion script, sourced into bash, completes commands and options.
  std::string completion = prefix + "/share/bash-completion/completions/crawl";
  REQUIRE(fs::exists(completion));
  auto complete = [&](const std::string& line) {
    std::string script = "source '" + completion + "'; COMP_WORDS=(" + line + "); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); "
                         "_crawl; printf '%s\\n' \"${COMPREPLY[@]}\"";
    return run_program({"bash", "-c", script}).out;
  };
  CHECK(contains(complete("crawl --conc"), "--concurrency"));
  CHECK(contains(complete("crawl tail --fol"), "--follow"));
  CHECK_FALSE(contains(complete("crawl count --fol"), "--follow"));
  CHECK(contains(complete("crawl ta"), "tail"));
  CHECK(contains(complete("crawl tail --format j"), "json"));
}

TEST_CASE("package: cpack builds a Debian package with the installed files and its library dependencies", "[install]") {
  auto out = temp_dir("install-package");
  auto pack = run_program({CRAWL_CPACK, "-G", "DEB", "--config", std::string(CRAWL_BUILD_DIR) + "/CPackConfig.cmake",
                           "-B", out});
  INFO(pack.out << pack.err);
  REQUIRE(pack.exit_code == 0);
  std::string deb;
  for (const auto& entry : fs::directory_iterator(out))
    if (entry.path().extension() == ".deb") deb = entry.path().string();
  REQUIRE_FALSE(deb.empty());
  auto listing = run_program({"dpkg-deb", "--contents", deb}).out;
  for (const char* file : {"./usr/bin/crawl", "./usr/share/man/man1/crawl-tail.1", "./usr/share/bash-completion/completions/crawl",
                           "./usr/share/doc/crawl/examples/cron/crawl.service"})
    CHECK(contains(listing, file));
  auto depends = run_program({"dpkg-deb", "--field", deb, "Depends"}).out;
  INFO(depends);
  for (const char* library : {"libcurl4", "libre2-", "libzstd1", "libsqlite3-0", "liburing2", "libc6"})
    CHECK(contains(depends, library));
}
