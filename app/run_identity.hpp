#pragma once
// Which part of which run a process is, for the summaries and partial
// results crawl merge reads: the run id (given, or the job array's, else a
// new random one) and the shard.
#include "crawl/config/shard_setting.hpp"
#include "crawl/pipeline/run_parts.hpp"

#include <string>

namespace crawl::app {

// `given` when not empty; else 32 random hex digits.
std::string run_id_or_new(const std::string& given);
// The part of run `run_id` a process with this shard is (shard 0 of 1 without one).
inline pipeline::run_part part_of(const config::shard_setting& shard, const std::string& run_id) {
  return shard.set() ? pipeline::run_part{run_id, shard.index, shard.count} : pipeline::run_part{run_id, 0, 1};
}
// With -v: "shard 2 of 4 (from SLURM_ARRAY_TASK_ID), run slurm-77".
void note_shard(const config::shard_setting& shard, const std::string& run_id, bool verbose);

}  // namespace crawl::app
