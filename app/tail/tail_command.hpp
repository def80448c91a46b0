#pragma once
#include "crawl/config/tail_settings.hpp"
#include "crawl/pipeline/log_summary.hpp"

#include <optional>
#include <string>
#include <vector>

namespace crawl::app {

// The lines' format --input names, or nothing for auto.
std::optional<pipeline::log_format> input_format(const config::tail_settings& s);
// The summary's options from the settings.
pipeline::summary_options summary_options_from(const config::tail_settings& s);

// Warns of lines left out of the answer (not of their format, without a
// timestamp when bucketing): how many, and the first, quoted with its place.
void warn_unread_lines(const pipeline::log_summary& total, const std::vector<std::string>& inputs);

// Runs `crawl tail` with validated settings; returns the exit status.
int run_tail(const config::tail_settings& settings);

// The run summary of crawl tail: JSON (for --summary) and one line of text.
std::string tail_summary_json(int status, std::size_t files, std::size_t failed, const pipeline::log_summary& total,
                              double seconds);
std::string tail_summary_text(std::size_t files, std::size_t failed, const pipeline::log_summary& total, double seconds);

}  // namespace crawl::app
