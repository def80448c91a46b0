#pragma once
// Word counts as a result (crawl, crawl count): the table is the top rows
// with their shares; tsv, csv and json hold every count.
#include "command_outputs.hpp"

#include "crawl/pipeline/count_output.hpp"
#include "crawl/pipeline/word_counts.hpp"

namespace crawl::app {

class word_count_result : public result {
 public:
  explicit word_count_result(const pipeline::word_counts& counts) : counts_(counts) {}
  void render(config::result_format format, std::size_t top, const piece_sink& out) const override {
    switch (format) {
      case config::result_format::table:
        out(pipeline::format_top_table(pipeline::top(counts_, top), counts_.total()));
        return;
      case config::result_format::tsv: return pipeline::write_counts(pipeline::count_format::tsv, pipeline::ranked(counts_), out);
      case config::result_format::csv: return pipeline::write_counts(pipeline::count_format::csv, pipeline::ranked(counts_), out);
      case config::result_format::json: return pipeline::write_counts(pipeline::count_format::json, pipeline::ranked(counts_), out);
    }
  }

 private:
  const pipeline::word_counts& counts_;
};

}  // namespace crawl::app
