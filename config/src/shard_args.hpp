#pragma once
// --shard, --shards and --run-id, shared by crawl and crawl tail, and {shard}
// in their path options.
#include "command_line.hpp"
#include "crawl/config/shard_setting.hpp"

#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <utility>

namespace crawl::config {

struct shard_args {
  std::string shard;
  std::uint32_t shards = 0;
  std::string run_id;
};

inline void add_shard_options(command_line& cl, shard_args& a, const std::string& what) {
  cl.option("--shard", a.shard,
            "Take only the " + what + " of shard K of N (0 <= K < N). Without it, a job array's "
            "SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX (with --shards) or AWS_BATCH_JOB_ARRAY_INDEX")
      ->type_name("K/N");
  cl.option("--shards", a.shards,
            "The number of shards: with JOB_COMPLETION_INDEX (a Kubernetes Indexed Job), or with a Slurm task whose "
            "id is its shard (a failed shard resubmitted alone)",
            whole_number(1, 1'000'000));
  cl.option("--run-id", a.run_id,
            "Names the run in the summaries and partial results that crawl merge reads (default: the job "
            "array's id, else a new one)")
      ->type_name("ID");
}

// Resolves the shard from the options and the environment, then replaces
// {shard} in `paths` (pairs of option name and value); the first problem, or empty.
inline std::string finish_shard(const shard_args& a, shard_setting& shard, std::string& run_id,
                                std::initializer_list<std::pair<const char*, std::string*>> paths) {
  auto outcome = resolve_shard(a.shard, a.shards, a.run_id, [](const char* name) { return std::getenv(name); });
  if (!outcome.error.empty()) return outcome.error;
  shard = outcome.shard;
  run_id = outcome.run_id;
  std::string error;
  for (auto [option, path] : paths) *path = with_shard(*path, shard, option, error);
  return error;
}

}  // namespace crawl::config
