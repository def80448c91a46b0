#include "crawl/config/merge_settings.hpp"

#include "command_line.hpp"
#include "parsers.hpp"

#include <cstdlib>

namespace crawl::config {
namespace {

constexpr const char* merge_footer =
    "\nInputs are told apart by their contents: crawl run summaries (--summary), crawl tail partial results\n"
    "(--summary-state), or word counts (.tsv, .csv, .json as -o writes them). Counts are summed exactly\n"
    "(64 bits); summaries and partial results merge their sketches, so percentiles are those of all the\n"
    "data. An input given twice (the same file, the same contents, or the same shard of the same run) is\n"
    "an error naming both.\n"
    "\nExit status: 0 merged; 1 shards of a run are missing (nothing written; --allow-missing merges what\n"
    "there is); 2 usage error, an input unreadable, malformed or given twice; 70 internal error; 74 an\n"
    "output could not be written.";

}  // namespace

parsed<merge_settings> parse_merge(int argc, const char* const* argv, int first, std::string* describe) {
  merge_settings s;
  command_line cl("crawl merge", "[OPTIONS] FILE...",
                  "crawl merge: combine the outputs of shards or runs: word counts, run summaries (--summary FILE "
                  "writes the merged one) and crawl tail partial results (printed as crawl tail prints them).",
                  merge_footer);
  cl.inputs("files", s.inputs, "Files to merge, in any order");
  cl.flag("--allow-missing", s.allow_missing, "Merge what there is when shards of a run are missing (said on stderr)");
  cl.option("--summary-state", s.summary_state,
            "Write the merged crawl tail partial results to FILE (mergeable again)")
      ->type_name("FILE");
  cl.option("--sort", s.sort, "Order the rows of merged crawl tail results by this column")->type_name("COLUMN");
  const char* tmp = std::getenv("TMPDIR");
  s.temp_dir = tmp && *tmp ? tmp : "/tmp";
  cl.option("--temp-dir", s.temp_dir, "Where word counts larger than memory are sorted (default: $TMPDIR or /tmp)")
      ->type_name("DIR");
  cl.size_option("--memory", s.memory,
                 "Memory for word counts before they are sorted on disk in pieces; 0: three times the largest "
                 "input, 64MiB at least",
                 "0");
  cl.add_common(s);
  if (auto stopped = cl.parse(argc, argv, first, describe)) return {std::nullopt, stopped->exit_code, stopped->message};
  if (auto stopped = cl.finish_common(s)) return {std::nullopt, stopped->exit_code, stopped->message};
  return {std::move(s), 0, {}};
}

}  // namespace crawl::config
