#pragma once
// What crawl says on stderr: log lines as plain text for people, or one JSON
// object a line for log collectors (--log-format json), and the progress
// line, which only a terminal gets. A log line is printed above the
// progress line, which is then drawn again, so the two never mix. Not
// thread-safe: one thread logs.
#include "crawl/pipeline/json.hpp"

#include <chrono>
#include <initializer_list>
#include <string>
#include <utility>

namespace crawl::app {

enum class log_format { text, json };

void set_log_format(log_format format);
log_format current_log_format();
// The prefix of text log lines: "crawl", "crawl tail", "crawl count".
void set_log_command(const char* command);

// A field of a JSON log line: numbers stay numbers.
using log_field = std::pair<const char*, pipeline::json>;

// "COMMAND: MESSAGE" or {"level": LEVEL, "message": MESSAGE, FIELD: VALUE...}.
void log_line(const char* level, const std::string& message, std::initializer_list<log_field> fields = {});

// "2026-11-30T01:02:03.456Z".
std::string utc_timestamp(std::chrono::system_clock::time_point t);

// Whether a progress line may be drawn: stderr is a terminal and not `quiet`.
bool progress_wanted(bool quiet);
// Replaces the progress line with `text` (no newline).
void show_progress(const std::string& text);
// Removes the progress line, if one is shown (it is not drawn again).
void clear_progress();

}  // namespace crawl::app
