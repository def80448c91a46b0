#include "diagnostics.hpp"

#include "crawl/pipeline/count_output.hpp"

#include <cstdio>

namespace crawl::app {
namespace {
log_format format_ = log_format::text;
}

void set_log_format(log_format format) { format_ = format; }
log_format current_log_format() { return format_; }

void log_line(const char* level, const std::string& message, std::initializer_list<log_field> fields) {
  std::string line;
  if (format_ == log_format::text) {
    line = "crawl: " + message + "\n";
  } else {
    line = "{\"level\": ";
    pipeline::append_json_string(line, level);
    line += ", \"message\": ";
    pipeline::append_json_string(line, message);
    for (const auto& [name, value] : fields) {
      line += ", ";
      pipeline::append_json_string(line, name);
      line += ": ";
      pipeline::append_json_string(line, value);
    }
    line += "}\n";
  }
  std::fputs(line.c_str(), stderr);
}

}  // namespace crawl::app
