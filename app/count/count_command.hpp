#pragma once
#include "crawl/config/crawl_settings.hpp"

namespace crawl::app {

// Runs `crawl count FILE...`; returns the exit status.
int run_count(const config::count_settings& settings);

}  // namespace crawl::app
