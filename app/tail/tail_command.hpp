#pragma once
#include "crawl/config/tail_settings.hpp"
#include "crawl/pipeline/log_summary.hpp"

#include <string>

namespace crawl::app {

// Runs `crawl tail` with validated settings; returns the exit status.
int run_tail(const config::tail_settings& settings);

// The run summary of crawl tail: JSON (for --summary) and one line of text.
std::string tail_summary_json(int status, std::size_t files, std::size_t failed, const pipeline::log_summary& total,
                              double seconds);
std::string tail_summary_text(std::size_t files, std::size_t failed, const pipeline::log_summary& total, double seconds);

}  // namespace crawl::app
