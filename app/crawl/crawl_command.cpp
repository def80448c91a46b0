#include "crawl_command.hpp"

#include "command_inputs.hpp"
#include "crawl_outputs.hpp"
#include "crawl_run.hpp"
#include "outbox.hpp"
#include "run_identity.hpp"
#include "diagnostics.hpp"

#include "crawl/storage/crawl_state.hpp"
#include "crawl/crawler/cookie_store.hpp"
#include "crawl/storage/frontier.hpp"
#include "crawl/storage/state_lock.hpp"
#include "crawl/storage/warc.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <fcntl.h>
#include <sys/resource.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

namespace crawl::app {

namespace asio = boost::asio;

namespace {

// The kernel's ceiling for RLIMIT_NOFILE (fs.nr_open), or 0 if unknown.
rlim_t open_files_ceiling() {
  std::ifstream in("/proc/sys/fs/nr_open");
  unsigned long long n = 0;
  return in >> n ? static_cast<rlim_t>(n) : 0;
}

// Raises the open-files soft limit to the hard limit and returns how many
// transfers fit: one socket each, with 256 descriptors spare for files,
// threads and the resolver's short-lived pipes. When even the hard limit is
// too low for `wanted` transfers and the process may raise it (root, or
// CAP_SYS_RESOURCE), both limits go up as far as needed, at most to
// fs.nr_open, and a message says so.
std::size_t transfers_that_fit(std::size_t wanted, bool quiet) {
  constexpr rlim_t spare = 256;
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1 << 20;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
    ::getrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur == RLIM_INFINITY) return 1 << 20;
  rlim_t needed = static_cast<rlim_t>(wanted) + spare;
  if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < needed) {
    rlim_t ceiling = open_files_ceiling();
    rlimit raised{std::min(needed, ceiling), std::min(needed, ceiling)};
    if (raised.rlim_max > rl.rlim_max && ::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      if (!quiet)
        log_line("info", "open-files limit raised to " + std::to_string(raised.rlim_max) + " (the hard limit was " +
                             std::to_string(rl.rlim_max) + "; fs.nr_open allows " + std::to_string(ceiling) + ")");
      rl = raised;
    }
  }
  auto limit = static_cast<std::size_t>(rl.rlim_cur);
  return limit > 512 ? limit - spare : limit / 2;
}

// Runs of the same inputs resume each other: a list is known by its absolute path.
std::string inputs_key(const std::vector<std::string>& inputs) {
  std::string key;
  for (const auto& input : inputs) {
    char* real = input == "-" ? nullptr : ::realpath(input.c_str(), nullptr);
    key += (key.empty() ? "" : "\n") + std::string(real ? real : input.c_str());
    std::free(real);
  }
  return key;
}

bool is_url_argument(const std::string& input) {
  auto starts = [&](const char* scheme) {
    std::size_t n = std::strlen(scheme);
    return input.size() > n && ::strncasecmp(input.c_str(), scheme, n) == 0;
  };
  return starts("http://") || starts("https://");
}

// The inputs, in order: a URL argument is fetched as such, anything else is
// a list to read ("-": standard input). A list that cannot be read is an
// error naming it; `refused` counts them.
crawl_inputs open_inputs(const std::vector<std::string>& inputs, std::size_t& refused) {
  crawl_inputs out;
  for (const auto& input : inputs) {
    if (is_url_argument(input)) {
      out.sources.push_back(crawler::url_source{input, -1});
      out.names.push_back(input);
      continue;
    }
    int fd = input == "-" ? STDIN_FILENO : ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
    struct ::stat st {};
    std::string problem = fd < 0 ? std::strerror(errno) : "";
    if (fd >= 0 && ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) problem = "is a folder, not a URL list";
    if (!problem.empty()) {
      if (fd > 0) ::close(fd);
      bool looks_like_host = input.find('/') == std::string::npos && input.find('.') != std::string::npos;
      log_line("error", input + ": " + problem + (looks_like_host && fd < 0 ? " (a URL needs http:// or https://)" : ""),
               {{"file", input}});
      ++refused;
      continue;
    }
    if (S_ISREG(st.st_mode)) out.list_bytes += static_cast<std::uint64_t>(st.st_size);
    out.sources.push_back(crawler::url_source{{}, fd});
    out.names.push_back(input);
  }
  return out;
}

// The frontier of --follow: in the --state file (so a killed crawl resumes),
// or in a temporary file of its own, removed at the end.
struct frontier_file {
  std::unique_ptr<storage::frontier> store;
  std::string temporary;
  ~frontier_file() {
    store.reset();
    for (const char* suffix : {"", "-wal", "-shm"})
      if (!temporary.empty()) ::unlink((temporary + suffix).c_str());
  }
};

bool open_frontier(const config::crawl_settings& s, bool resumed, frontier_file& f) {
  std::string path = s.state;
  if (path.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string name = std::string(tmp && *tmp ? tmp : "/tmp") + "/crawl-frontier-XXXXXX";
    int fd = ::mkstemp(name.data());
    if (fd < 0) {
      log_line("error", name + ": cannot create the frontier's file: " + std::strerror(errno));
      return false;
    }
    ::close(fd);
    path = f.temporary = name;
  }
  std::string error;
  f.store = storage::frontier::open(path, error);
  // A new crawl starts from its seeds; a resumed one goes through all it had
  // found (what it had done comes from the state, without a request).
  if (f.store && !(resumed ? f.store->requeue_all(error) : f.store->clear(error))) f.store.reset();
  if (!f.store) log_line("error", error, {{"file", path}});
  return f.store != nullptr;
}

void close_lists(const crawl_inputs& inputs) {
  for (const auto& source : inputs.sources)
    if (source.fd > 0) ::close(source.fd);
}

}  // namespace

// Opens the state and its lock. Returns 0, or the exit status to stop with.
int open_state(const config::crawl_settings& s, std::unique_ptr<storage::state_lock>& lock,
               std::unique_ptr<storage::crawl_state>& state, storage::run_info& run_info) {
  if (int status = lock_state(s.state, s.wait_lock, lock); status != 0) return status;
  std::string error;
  state = storage::crawl_state::open(s.state, error);
  if (!state) {
    log_line("error", error, {{"file", s.state}});
    return exit_status::usage;
  }
  run_info = state->begin_run(inputs_key(s.inputs));
  if (run_info.resumed && !s.quiet)
    log_line("info", "resuming the interrupted run: " + std::to_string(run_info.done_before) +
                         " URLs were already done");
  return 0;
}

int run_crawl(const config::crawl_settings& s) {
  std::string error;
  const std::string run_id = run_id_or_new(s.run_id);
  note_shard(s.shard, run_id, s.verbose);
  std::size_t refused = 0;
  crawl_inputs inputs = open_inputs(s.inputs, refused);
  if (inputs.sources.empty()) {  // nothing can be read: stop before any work
    crawl_outputs::write_failed_start(s, run_id, exit_status::usage);
    return exit_status::usage;
  }
  crawl_outputs outputs(s);
  if (!outputs.open()) {
    close_lists(inputs);
    crawl_outputs::write_failed_start(s, run_id, exit_status::usage);
    return exit_status::usage;
  }
  std::size_t concurrency = s.concurrency;
  if (std::size_t fit = transfers_that_fit(concurrency, s.quiet); concurrency > fit) {
    log_line("warning", "the open-files limit allows " + std::to_string(fit) +
                            " transfers; --concurrency lowered from " + std::to_string(concurrency));
    concurrency = fit;
  }
  unsigned threads = s.threads ? s.threads : std::max(1u, std::thread::hardware_concurrency());

  std::unique_ptr<storage::state_lock> lock;
  std::unique_ptr<storage::crawl_state> state;
  storage::run_info run_info;
  if (!s.state.empty()) {
    if (int status = open_state(s, lock, state, run_info); status != 0) {
      close_lists(inputs);
      crawl_outputs::write_failed_start(s, run_id, status);
      return status;
    }
  }

  frontier_file frontier;
  if (s.follow && !open_frontier(s, run_info.resumed, frontier)) {
    close_lists(inputs);
    crawl_outputs::write_failed_start(s, run_id, exit_status::not_written);
    return exit_status::not_written;
  }
  std::optional<storage::warc_writer> warc;
  if (!s.warc.empty()) warc.emplace(s.warc, s.warc_max_size, config::product_token());
  std::optional<crawler::cookie_store> cookies;  // outlives every transfer that uses it
  if (s.cookies) {
    cookies.emplace();
    if (!s.cookie_jar.empty() && !cookies->load(s.cookie_jar, error)) {
      log_line("error", "--cookie-jar " + error, {{"file", s.cookie_jar}});
      close_lists(inputs);
      crawl_outputs::write_failed_start(s, run_id, exit_status::usage);
      return exit_status::usage;
    }
  }

  std::optional<app::outbox> links_out;  // --outbox: written at the end, with the other outputs
  if (!s.outbox.empty()) links_out.emplace(s.outbox);

  asio::io_context net;
  // Holds SIGINT and SIGTERM for the whole command, so that one arriving
  // after the shutdown's own watch has ended (while the outputs are being
  // written) cannot kill the process half-way: the outputs still appear.
  asio::signal_set held_signals(net, SIGINT, SIGTERM);
  run_stats stats;
  pipeline::word_counts totals;
  std::exception_ptr internal_error;
  bool state_failed = false;
  {
    crawl_run run(s, concurrency, threads, std::move(inputs), net,
                  run_targets{outputs, state.get(), warc ? &*warc : nullptr, frontier.store.get(),
                              cookies ? &*cookies : nullptr, links_out ? &*links_out : nullptr});
    // Once the run is over nothing else may hold the loop open: a timer
    // libcurl left armed for its cached connections would delay the exit.
    asio::co_spawn(net, run.run(), [&net](std::exception_ptr e) {
      net.stop();
      if (e) std::rethrow_exception(e);
    });
    net.run();
    stats = run.finish();
    totals = std::move(run.totals());
    internal_error = run.internal_error();
    state_failed = run.state_failed();
  }
  stats.resumed = run_info.resumed;
  stats.parts = {part_of(s.shard, run_id)};
  stats.exit_status = internal_error      ? exit_status::internal
                      : state_failed      ? exit_status::not_written
                      : stats.interrupted ? exit_status::interrupted
                      : (stats.failed || stats.bad_lines || refused) ? exit_status::partial
                                                          : exit_status::ok;

  bool written = true;
  if (warc && !warc->close(error)) {
    log_line("error", error);
    written = false;
  }
  if (cookies && !s.cookie_jar.empty() && !cookies->save(s.cookie_jar, error)) {
    log_line("error", "--cookie-jar " + error, {{"file", s.cookie_jar}});
    written = false;
  }
  if (links_out && !links_out->commit(error)) {
    log_line("error", "--outbox " + error);
    written = false;
  }
  written = outputs.write_counts(totals) && written;
  if (!written) stats.exit_status = worse(stats.exit_status, exit_status::not_written);
  written = outputs.write_summary(stats) && written;
  if (!written) stats.exit_status = worse(stats.exit_status, exit_status::not_written);
  // A complete run closes its run in the state: the next one starts afresh
  // (revalidating what it has); an interrupted one is resumed next time.
  bool complete = !stats.interrupted && !state_failed && !internal_error && stats.unfinished == 0;
  if (state && complete && written && !state->finish_run(error)) {
    log_line("error", error);
    stats.exit_status = worse(stats.exit_status, exit_status::not_written);
  }
  return stats.exit_status;
}

}  // namespace crawl::app
