#pragma once
// Which shard of a job array this process is: --shard K/N, or the index and
// count the engine that started it gives in the environment (Slurm job
// arrays, Kubernetes Indexed Jobs with --shards N, AWS Batch array jobs).
// Also the run id that tells one run's shards from another's, and {shard}
// in path options.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace crawl::config {

struct shard_setting {
  std::uint32_t index = 0;
  std::uint32_t count = 0;  // 0: no shard, every URL or file
  std::string source;       // where it came from: "--shard", "SLURM_ARRAY_TASK_ID", ...
  bool set() const { return count > 0; }
};

// What the command line said; `lookup` reads the environment (a function,
// so tests give their own). An error names the option or variable and its
// value. `shards` is --shards N (0: not given).
struct shard_outcome {
  shard_setting shard;
  std::string run_id;  // --run-id, else the job array's id, else empty (the run makes one)
  std::string error;
};
using environment_lookup = std::function<const char*(const char* name)>;
shard_outcome resolve_shard(const std::string& shard_text, std::uint32_t shards, const std::string& run_id,
                            const environment_lookup& lookup);

// "{shard}" in a path replaced by the shard's index; without a shard the
// path naming {shard} is an error (empty `error` when all is well).
std::string with_shard(const std::string& path, const shard_setting& s, const char* option, std::string& error);

}  // namespace crawl::config
