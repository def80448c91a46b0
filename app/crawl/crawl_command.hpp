#pragma once
#include "crawl/config/crawl_settings.hpp"

namespace crawl::app {

// Runs `crawl URLS` with validated settings; returns the exit status.
int run_crawl(const config::crawl_settings& settings);

}  // namespace crawl::app
