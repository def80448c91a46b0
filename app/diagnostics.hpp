#pragma once
// What crawl says on stderr: log lines as plain text for people, or one JSON
// object a line for log collectors (--log-format json), and the progress
// line, which only a terminal gets. A log line first clears the progress
// line, so the two never mix. Used from the network thread only.
#include <initializer_list>
#include <string>
#include <utility>

namespace crawl::app {

enum class log_format { text, json };

void set_log_format(log_format format);
log_format current_log_format();

using log_field = std::pair<const char*, std::string>;

// "crawl: MESSAGE" or {"level": LEVEL, "message": MESSAGE, FIELD: VALUE...}.
void log_line(const char* level, const std::string& message, std::initializer_list<log_field> fields = {});

// Whether a progress line may be drawn: stderr is a terminal and not `quiet`.
bool progress_wanted(bool quiet);
// Replaces the progress line with `text` (no newline).
void show_progress(const std::string& text);
// Removes the progress line, if one is shown.
void clear_progress();

}  // namespace crawl::app
