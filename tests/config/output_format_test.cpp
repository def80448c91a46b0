#include "crawl/config/common_settings.hpp"

#include <catch2/catch.hpp>

using crawl::config::format_of_path;
using crawl::config::result_format;

// Moved from pipeline's count_output test, with pipeline::format_for_path,
// when config::format_of_path took its place.
TEST_CASE("the format follows the extension, in any case", "[format]") {
  CHECK(format_of_path("out/counts.tsv") == result_format::tsv);
  CHECK(format_of_path("c.csv") == result_format::csv);
  CHECK(format_of_path("c.json") == result_format::json);
  CHECK(format_of_path("C.JSON") == result_format::json);
  CHECK(format_of_path("c.Tsv") == result_format::tsv);
  CHECK_FALSE(format_of_path("c.txt"));
  CHECK_FALSE(format_of_path(".json"));  // a name, not an extension
}
