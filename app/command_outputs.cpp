#include "command_outputs.hpp"

#include "diagnostics.hpp"

#include "crawl/pipeline/json.hpp"

#include <cstdio>
#include <limits>

namespace crawl::app {
namespace {

constexpr std::size_t everything = std::numeric_limits<std::size_t>::max();

bool logged(bool ok, const std::string& error, const std::string& path) {
  if (!ok) log_line("error", error, {{"file", path}});
  return ok;
}

int rank(int status) {
  switch (status) {
    case exit_status::ok: return 0;
    case exit_status::partial: return 1;
    case exit_status::interrupted: return 2;
    case exit_status::locked: return 3;
    case exit_status::not_written: return 4;
    case exit_status::usage: return 5;
    default: return 6;  // internal
  }
}

}  // namespace

int worse(int a, int b) { return rank(a) >= rank(b) ? a : b; }

bool open_output(const std::string& path, storage::atomic_file& file) {
  if (path.empty()) return true;
  std::string error;
  return logged(file.open(path, error), error, path);
}

bool commit_output(storage::atomic_file& file) {
  if (!file.is_open()) return true;
  std::string error;
  return logged(file.commit(error), error, file.path());
}

bool command_outputs::open() {
  return (!s_.writes_file() || open_output(s_.output, file_)) && open_output(s_.summary, summary_);
}

bool command_outputs::finish_file(const result& r) {
  if (!file_.is_open()) return true;
  r.render(s_.output_format, everything, [this](std::string_view piece) { file_.write(piece); });
  std::string error;
  return logged(file_.finish(error), error, s_.output);
}

bool command_outputs::publish_file() {
  if (!file_.is_open()) return true;
  std::string error;
  return logged(file_.publish(error), error, s_.output);
}

void command_outputs::print(const result& r) const {
  auto to_stdout = [](std::string_view piece) { std::fwrite(piece.data(), 1, piece.size(), stdout); };
  if (s_.stdout_format != config::result_format::table) r.render(s_.stdout_format, everything, to_stdout);
  else if (s_.top > 0) r.render(config::result_format::table, s_.top, to_stdout);
  std::fflush(stdout);
}

bool command_outputs::deliver(const result& r) {
  bool written = finish_file(r) && publish_file();
  print(r);
  return written;
}

bool command_outputs::summarize(const std::string& json, const std::string& text) {
  if (!s_.quiet) {
    clear_progress();
    // For log collectors, one line: the summary is one more JSON log line.
    if (current_log_format() == log_format::json)
      std::fputs((pipeline::dump_json(pipeline::json::parse(json)) + "\n").c_str(), stderr);
    else
      std::fputs(text.c_str(), stderr);
  }
  if (summary_.is_open()) summary_.write(json);
  return commit_output(summary_);
}

void command_outputs::summarize_failed_start(const config::common_settings& s, const std::string& json) {
  if (s.summary.empty()) return;
  storage::atomic_file file;
  std::string ignored;
  if (file.open(s.summary, ignored)) {
    file.write(json);
    file.commit(ignored);
  }
}

}  // namespace crawl::app
