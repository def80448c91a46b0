#pragma once
// Log lines on stderr: plain text for people, or one JSON object a line for
// log collectors (--log-format json). Progress lines are separate.
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

}  // namespace crawl::app
