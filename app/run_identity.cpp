#include "run_identity.hpp"

#include "diagnostics.hpp"

#include <cstdio>
#include <random>

namespace crawl::app {

std::string run_id_or_new(const std::string& given) {
  if (!given.empty()) return given;
  std::random_device random;
  char text[33];
  std::snprintf(text, sizeof text, "%08x%08x%08x%08x", random(), random(), random(), random());
  return text;
}

void note_shard(const config::shard_setting& shard, const std::string& run_id, bool verbose) {
  if (!verbose || !shard.set()) return;
  log_line("info", "shard " + std::to_string(shard.index) + " of " + std::to_string(shard.count) + " (from " +
                       shard.source + "), run " + run_id,
           {{"shard", shard.index}, {"shards", shard.count}, {"run_id", run_id}});
}

}  // namespace crawl::app
