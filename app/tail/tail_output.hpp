#pragma once
// What `crawl tail` produces: the log summary as a result (command_outputs
// prints and writes it by the common rule), and its delivery with the
// --state marks, so that every output that appears counts once.
#include "command_outputs.hpp"

#include "crawl/config/tail_settings.hpp"
#include "crawl/pipeline/json.hpp"
#include "crawl/pipeline/log_summary.hpp"
#include "crawl/storage/tail_state.hpp"

#include <string>
#include <vector>

namespace crawl::app {

// Which bytes of which file a run read: decoded offsets, from and to.
struct read_span {
  std::string path;
  std::uint64_t from = 0;
  std::uint64_t to = 0;
};

// table: the counts, then the rows of --by/--per/aggregates or the top
// words (with --per-file a table per file); json: everything, with the
// files and times the run covers; tsv and csv: the rows, or the word counts.
class log_result : public result {
 public:
  log_result(const config::tail_settings& s, const pipeline::log_summary& total, const std::vector<std::string>& inputs,
             const std::vector<pipeline::log_summary>& per_input, const pipeline::query_options& query,
             std::vector<read_span> spans = {});
  void render(config::result_format format, std::size_t top, const piece_sink& out) const override;
  // JSON on one line (a refresh while following), not indented.
  void one_line() { indent_ = -1; }

 private:
  const config::tail_settings& s_;
  const pipeline::log_summary& total_;
  const std::vector<std::string>& inputs_;
  const std::vector<pipeline::log_summary>& per_input_;
  std::vector<read_span> spans_;  // a copy: a default argument would not outlive the constructor
  const pipeline::query_options& query_;
  std::string generated_at_;
  int indent_ = 2;
};

// Delivers `r` by the common rule. With `state`, the marks go with it: staged
// once the -o file is complete, promoted once it is in place and stdout has
// had its part (see tail_state). false: something failed (logged).
bool deliver_tail(command_outputs& outputs, const log_result& r, storage::tail_state* state,
                  const std::vector<storage::file_mark>& marks);

}  // namespace crawl::app
