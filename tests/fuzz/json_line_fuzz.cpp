// JSON log lines through the line parser (simdjson On-Demand): any line is
// read or refused without a crash, the fields asked for are the only ones
// given, and a time is read or not, never a crash.
#include "crawl/pipeline/line_parser.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  using namespace crawl::pipeline;
  static line_parser parser([] {
    parser_options o;
    o.format = log_format::json;
    o.needed = {"a", "a.b", "level", "x.y.z", "n"};
    return o;
  }());
  std::string line(reinterpret_cast<const char*>(bytes), size);
  log_fields f;
  if (parser.parse(line, f)) {
    for (const auto& [name, value] : f.items())
      if (name != "a" && name != "a.b" && name != "level" && name != "x.y.z" && name != "n" && name != "time" &&
          name != "timestamp" && name != "ts" && name != "@timestamp" && name != "datetime" && name != "date" &&
          name != "t")
        std::abort();
    (void)parser.time(line, f);
  }
  return 0;
}
