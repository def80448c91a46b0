#pragma once
// Runs the crawl binary as a child process for the CLI tests.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace crawl::test {

struct process_result {
  int exit_code = -1;  // -1: killed after the time limit
  std::string out;
  std::string err;
};

class child_process {
 public:
  // stdin comes from `stdin_path` (default /dev/null); proxy variables are
  // removed from the environment so loopback traffic stays on loopback.
  child_process(const std::vector<std::string>& args, const std::string& stdin_path = "/dev/null",
                const std::vector<std::string>& extra_env = {});
  // Another program (found on PATH), argv[0] first.
  static child_process of_program(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {});
  child_process(child_process&& other) noexcept;
  ~child_process();
  pid_t pid() const { return pid_; }
  // What the child has written so far.
  std::string out_so_far() const;
  std::string err_so_far() const;
  void signal(int signo);
  // Waits up to `limit`; then kills the child and reports exit_code -1.
  process_result wait(std::chrono::seconds limit = std::chrono::seconds(120));

 private:
  child_process() = default;
  void spawn(const std::vector<std::string>& argv, const std::string& stdin_path,
             const std::vector<std::string>& extra_env, bool search_path);
  pid_t pid_ = -1;
  std::string out_path_, err_path_;
  bool reaped_ = false;
};

process_result run_crawl(const std::vector<std::string>& args, const std::string& stdin_path = "/dev/null",
                         const std::vector<std::string>& extra_env = {});
// Runs another program (cmake, man, bash ...) to its end, argv[0] first.
process_result run_program(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {});

std::string read_file(const std::string& path);
// A "word<TAB>count" file as a map.
std::map<std::string, std::uint64_t> read_tsv(const std::string& path);
void write_file(const std::string& path, const std::string& text);
// A fresh folder for one test's files.
std::string temp_dir(const std::string& name);

// A small tmpfs of its own, unmounted at the end; not mounted when mounting
// is not allowed (not root), and the test that needs it says so and is skipped.
struct small_disk {
  small_disk(const std::string& path, const std::string& size);
  ~small_disk();
  bool grow(const std::string& size);
  std::string path;
  bool mounted = false;
};

}  // namespace crawl::test
