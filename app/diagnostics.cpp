#include "diagnostics.hpp"

#include <unistd.h>

#include <cstdio>
#include <ctime>

namespace crawl::app {
namespace {
log_format format_ = log_format::text;
const char* command_ = "crawl";
bool progress_shown_ = false;
std::string progress_text_;
}  // namespace

void set_log_format(log_format format) { format_ = format; }
log_format current_log_format() { return format_; }
void set_log_command(const char* command) { command_ = command; }

void log_line(const char* level, const std::string& message, std::initializer_list<log_field> fields) {
  std::string line;
  if (format_ == log_format::text) {
    line = std::string(command_) + ": " + message + "\n";
  } else {
    pipeline::json j = pipeline::json::object();
    pipeline::append_member(j, "level", level);
    pipeline::append_member(j, "message", message);
    for (const auto& [name, value] : fields) pipeline::append_member(j, name, value);
    line = pipeline::dump_json(j) + "\n";
  }
  bool redraw = progress_shown_;
  if (redraw) std::fputs("\r\033[K", stderr);
  std::fputs(line.c_str(), stderr);
  if (redraw) std::fputs(progress_text_.c_str(), stderr);
}

std::string utc_timestamp(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm parts{};
  ::gmtime_r(&seconds, &parts);
  char buf[80];  // room for any int the format could be handed (GCC checks)
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1,
                parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

bool progress_wanted(bool quiet) { return !quiet && ::isatty(STDERR_FILENO); }

void show_progress(const std::string& text) {
  progress_text_ = text;
  std::fprintf(stderr, "\r\033[K%s", text.c_str());
  progress_shown_ = true;
}

void clear_progress() {
  if (!progress_shown_) return;
  std::fputs("\r\033[K", stderr);
  progress_shown_ = false;
}

}  // namespace crawl::app
