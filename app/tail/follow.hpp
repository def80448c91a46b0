#pragma once
// `crawl tail -f`: follow files like tail -F, summarizing as they grow.
#include "log_reader.hpp"

#include "crawl/config/tail_settings.hpp"
#include "crawl/pipeline/log_summary.hpp"

#include <memory>
#include <string>
#include <vector>

namespace crawl::app {

int run_follow(const config::tail_settings& s, const std::vector<std::string>& inputs,
               std::shared_ptr<const pipeline::summary_rules> rules, std::vector<std::string>& errors);

}  // namespace crawl::app
