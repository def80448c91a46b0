#include "crawl/storage/state_lock.hpp"
#include "crawl/storage/tail_state.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace crawl::storage;

namespace {
std::string fresh(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("crawl-state-" + std::to_string(::getpid()) + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return (dir / "state.db").string();
}
}  // namespace

TEST_CASE("marks are saved and read back", "[state]") {
  std::string path = fresh("a");
  std::string error;
  {
    auto state = tail_state::open(path, error);
    REQUIRE(state);
    CHECK_FALSE(state->get("/var/log/app.log"));
    file_mark m{"/var/log/app.log", 1, 2, std::string("head\0bytes", 10), 12345, 20000, 99};
    REQUIRE(state->save({m}, error));
  }
  auto state = tail_state::open(path, error);
  auto m = state->get("/var/log/app.log");
  REQUIRE(m);
  CHECK(m->ino == 2);
  CHECK(m->fingerprint == std::string("head\0bytes", 10));
  CHECK(m->offset == 12345);
}

TEST_CASE("a second holder of the lock is refused, naming the first", "[state]") {
  std::string path = fresh("b");
  auto lock = state_lock::acquire(path, false).lock;
  REQUIRE(lock);
  // flock locks belong to the open file: a child process must take its own.
  pid_t child = ::fork();
  if (child == 0) {
    auto second = state_lock::acquire(path, false);
    bool named = second.error.find("pid " + std::to_string(::getppid())) != std::string::npos;
    ::_exit(!second.lock && second.held_elsewhere && named ? 0 : 1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  lock.reset();
  CHECK(state_lock::acquire(path, false).lock);
}

TEST_CASE("a lock file that is a symbolic link is not followed, and the file it names is untouched", "[state]") {
  std::string path = fresh("symlink");
  std::string victim = path + ".victim";
  { std::ofstream(victim) << "precious\n"; }
  std::filesystem::create_symlink(victim, path + ".lock");
  auto attempt = state_lock::acquire(path, false);
  CHECK_FALSE(attempt.lock);
  CHECK_FALSE(attempt.held_elsewhere);
  CHECK(attempt.error.find(path + ".lock") != std::string::npos);
  std::ifstream in(victim);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(content == "precious\n");
}

TEST_CASE("a lock file that cannot be opened is an error with the reason, not a lock held", "[state]") {
  std::string path = fresh("unusable");
  std::filesystem::create_directory(path + ".lock");  // a directory where the lock file goes
  auto attempt = state_lock::acquire(path, false);
  CHECK_FALSE(attempt.lock);
  CHECK_FALSE(attempt.held_elsewhere);
  CHECK(attempt.error.find(path + ".lock") != std::string::npos);
  auto nested = state_lock::acquire(path + ".victim-missing/dir/state.db", false);  // its folder does not exist
  CHECK_FALSE(nested.held_elsewhere);
  CHECK(nested.error.find("No such file or directory") != std::string::npos);
}

TEST_CASE("a file that is not a database is refused", "[state]") {
  std::string path = fresh("c");
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("this is not sqlite, not at all, definitely not", f);
  std::fclose(f);
  std::string error;
  CHECK_FALSE(tail_state::open(path, error));
  CHECK(error.find(path) != std::string::npos);
}

namespace {
// Stages marks for an output whose finished temporary file is `temp`, as a run does before renaming it into place.
void stage_for(tail_state& state, const std::string& temp, const std::string& dest) {
  std::ofstream(temp) << "{}\n";
  struct ::stat st {};
  REQUIRE(::stat(temp.c_str(), &st) == 0);
  std::string error;
  file_mark m{"/var/log/app.log", 1, 2, "head", 500, 500, 7};
  REQUIRE(state.stage({m}, staged_output{temp, dest, static_cast<std::uint64_t>(st.st_dev),
                                         static_cast<std::uint64_t>(st.st_ino)}, error));
}
}  // namespace

TEST_CASE("recover: an output renamed into place counts as delivered, even once a consumer moved it away",
          "[state]") {
  std::string path = fresh("recover-moved");
  auto dir = std::filesystem::path(path).parent_path().string();
  std::string error;
  auto state = tail_state::open(path, error);
  REQUIRE(state);
  stage_for(*state, dir + "/.out.json.tmp", dir + "/out.json");
  std::filesystem::rename(dir + "/.out.json.tmp", dir + "/out.json");  // delivered; killed before promote
  std::filesystem::rename(dir + "/out.json", dir + "/consumed.json");   // a downstream job took it
  REQUIRE(state->recover(error));
  auto m = state->get("/var/log/app.log");
  REQUIRE(m);  // the marks stand: reading again would count those lines twice
  CHECK(m->offset == 500);
}

TEST_CASE("recover: an output never renamed into place is not delivered, and its temporary file goes", "[state]") {
  std::string path = fresh("recover-undelivered");
  auto dir = std::filesystem::path(path).parent_path().string();
  std::string error;
  auto state = tail_state::open(path, error);
  REQUIRE(state);
  stage_for(*state, dir + "/.out.json.tmp", dir + "/out.json");  // killed before the rename
  REQUIRE(state->recover(error));
  CHECK_FALSE(state->get("/var/log/app.log"));
  CHECK_FALSE(std::filesystem::exists(dir + "/.out.json.tmp"));
}
