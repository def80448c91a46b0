#pragma once
// What `crawl tail` prints or writes at the end (and, following, each time).
#include "crawl/config/tail_settings.hpp"
#include "crawl/pipeline/log_summary.hpp"
#include "crawl/storage/tail_state.hpp"

#include <string>
#include <vector>

namespace crawl::app {

// The summary in the chosen format: table, JSON, or word counts as TSV/CSV.
std::string render_tail_summary(const config::tail_settings& s, const pipeline::log_summary& total,
                                const std::vector<std::string>& inputs,
                                const std::vector<pipeline::log_summary>& per_input,
                                const pipeline::summary_rules& rules);

// Writes the rendering to -o FILE (atomically) or stdout. false when the
// file could not be written (the error is on stderr). With `state`, the
// marks are delivered with the output (see tail_state): staged once the
// output is complete, promoted once it is in place.
bool write_tail_output(const config::tail_settings& s, const pipeline::log_summary& total,
                       const std::vector<std::string>& inputs, const std::vector<pipeline::log_summary>& per_input,
                       const pipeline::summary_rules& rules, storage::tail_state* state = nullptr,
                       const std::vector<storage::file_mark>& marks = {});

}  // namespace crawl::app
