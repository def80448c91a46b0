#include "run_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

extern char** environ;

namespace crawl::test {

namespace {
int counter = 0;

std::vector<std::string> clean_environment() {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string var(*e);
    std::string name = var.substr(0, var.find('='));
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.find("proxy") != std::string::npos) continue;
    env.push_back(var);
  }
  return env;
}
}  // namespace

std::string temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("crawl-cli-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::map<std::string, std::uint64_t> read_tsv(const std::string& path) {
  std::map<std::string, std::uint64_t> counts;
  std::istringstream in(read_file(path));
  std::string line;
  while (std::getline(in, line)) {
    auto tab = line.find('\t');
    if (tab == std::string::npos) throw std::runtime_error(path + ": not word<TAB>count: " + line);
    counts[line.substr(0, tab)] = std::stoull(line.substr(tab + 1));
  }
  return counts;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

child_process::child_process(const std::vector<std::string>& args, const std::string& stdin_path,
                             const std::vector<std::string>& extra_env) {
  std::vector<std::string> full{CRAWL_BINARY};
  full.insert(full.end(), args.begin(), args.end());
  spawn(full, stdin_path, extra_env, false);
}

child_process child_process::of_program(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env) {
  child_process p;
  p.spawn(argv, "/dev/null", extra_env, true);
  return p;
}

child_process::child_process(child_process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), out_path_(std::move(other.out_path_)),
      err_path_(std::move(other.err_path_)), reaped_(std::exchange(other.reaped_, true)) {}

void child_process::spawn(const std::vector<std::string>& args, const std::string& stdin_path,
                          const std::vector<std::string>& extra_env, bool search_path) {
  std::string base = temp_dir("proc" + std::to_string(++counter));
  out_path_ = base + "/stdout";
  err_path_ = base + "/stderr";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> full = args;
  std::vector<char*> argv;
  for (auto& a : full) argv.push_back(a.data());
  argv.push_back(nullptr);
  // extra_env replaces variables of the same name (getenv finds the first).
  std::vector<std::string> env;
  for (auto& var : clean_environment()) {
    std::string name = var.substr(0, var.find('=') + 1);
    bool replaced = false;
    for (const auto& extra : extra_env) replaced = replaced || extra.rfind(name, 0) == 0;
    if (!replaced) env.push_back(std::move(var));
  }
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  int rc = search_path ? posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data())
                       : posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(std::string("posix_spawn ") + args[0] + ": " + std::strerror(rc));
}

child_process::~child_process() {
  if (!reaped_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

void child_process::signal(int signo) { ::kill(pid_, signo); }

std::string child_process::out_so_far() const { return read_file(out_path_); }
std::string child_process::err_so_far() const { return read_file(err_path_); }

process_result child_process::wait(std::chrono::seconds limit) {
  process_result r;
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      reaped_ = true;
      r.out = read_file(out_path_);
      r.err = read_file(err_path_);
      return r;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  reaped_ = true;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_file(out_path_);
  r.err = read_file(err_path_);
  return r;
}

process_result run_crawl(const std::vector<std::string>& args, const std::string& stdin_path,
                         const std::vector<std::string>& extra_env) {
  child_process p(args, stdin_path, extra_env);
  return p.wait();
}

process_result run_program(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env) {
  return child_process::of_program(argv, extra_env).wait(std::chrono::seconds(300));
}

small_disk::small_disk(const std::string& path, const std::string& size) : path(path) {
  std::filesystem::create_directories(path);
  mounted = std::system(("mount -t tmpfs -o size=" + size + " tmpfs " + path + " 2>/dev/null").c_str()) == 0;
}

small_disk::~small_disk() {
  if (mounted) (void)!std::system(("umount -l " + path).c_str());
}

bool small_disk::grow(const std::string& size) {
  return std::system(("mount -o remount,size=" + size + " " + path).c_str()) == 0;
}

}  // namespace crawl::test
