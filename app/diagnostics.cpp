#include "diagnostics.hpp"

#include "crawl/pipeline/json.hpp"

#include <unistd.h>

#include <cstdio>

namespace crawl::app {
namespace {
log_format format_ = log_format::text;
bool progress_shown_ = false;
}  // namespace

void set_log_format(log_format format) { format_ = format; }
log_format current_log_format() { return format_; }

void log_line(const char* level, const std::string& message, std::initializer_list<log_field> fields) {
  clear_progress();
  std::string line;
  if (format_ == log_format::text) {
    line = "crawl: " + message + "\n";
  } else {
    pipeline::json j = pipeline::json::object();
    pipeline::append_member(j, "level", level);
    pipeline::append_member(j, "message", message);
    for (const auto& [name, value] : fields) pipeline::append_member(j, name, value);
    line = pipeline::dump_json(j) + "\n";
  }
  std::fputs(line.c_str(), stderr);
}

bool progress_wanted(bool quiet) { return !quiet && ::isatty(STDERR_FILENO); }

void show_progress(const std::string& text) {
  std::fprintf(stderr, "\r\033[K%s", text.c_str());
  progress_shown_ = true;
}

void clear_progress() {
  if (!progress_shown_) return;
  std::fputs("\r\033[K", stderr);
  progress_shown_ = false;
}

}  // namespace crawl::app
