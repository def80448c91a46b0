#pragma once
#include "crawl/config/tail_settings.hpp"

namespace crawl::app {

// Runs `crawl tail` with validated settings; returns the exit status.
int run_tail(const config::tail_settings& settings);

}  // namespace crawl::app
