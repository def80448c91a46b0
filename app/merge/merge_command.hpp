#pragma once
#include "crawl/config/merge_settings.hpp"

namespace crawl::app {

// `crawl merge FILE...`: the exit status (see config's footer).
int run_merge(const config::merge_settings& s);

}  // namespace crawl::app
