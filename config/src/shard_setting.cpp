#include "crawl/config/shard_setting.hpp"

#include <charconv>
#include <string_view>

namespace crawl::config {
namespace {

constexpr std::uint32_t max_shards = 1'000'000;

std::optional<std::uint64_t> whole(std::string_view text) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

std::string quoted(const char* name, const char* value) {
  return std::string(name) + "='" + value + "'";
}

// A variable's whole-number value: nothing when unset; `error` when malformed.
std::optional<std::uint64_t> variable(const environment_lookup& lookup, const char* name, std::string& error) {
  const char* value = lookup(name);
  if (!value || !*value) return std::nullopt;
  auto v = whole(value);
  if (!v && error.empty()) error = quoted(name, value) + " is not a whole number";
  return v;
}

// Slurm numbers array tasks as the --array range says (1-8, 0-15:4): the
// shard is the task's place in that range. With --shards N the task id is
// the shard itself (a failed shard resubmitted alone, --array=2, is still
// shard 2 of N).
void from_slurm(const environment_lookup& lookup, std::uint32_t shards, shard_outcome& out) {
  auto id = variable(lookup, "SLURM_ARRAY_TASK_ID", out.error);
  if (!id || !out.error.empty()) return;
  if (shards) {
    if (*id >= shards)
      out.error = "SLURM_ARRAY_TASK_ID=" + std::to_string(*id) + " is not a shard of --shards " + std::to_string(shards);
    else
      out.shard = {static_cast<std::uint32_t>(*id), shards, "SLURM_ARRAY_TASK_ID"};
    return;
  }
  auto count = variable(lookup, "SLURM_ARRAY_TASK_COUNT", out.error);
  auto min = variable(lookup, "SLURM_ARRAY_TASK_MIN", out.error).value_or(0);
  auto max = variable(lookup, "SLURM_ARRAY_TASK_MAX", out.error);
  auto step = variable(lookup, "SLURM_ARRAY_TASK_STEP", out.error).value_or(1);
  if (!out.error.empty()) return;
  if (step == 0) step = 1;
  if (!count && max && *max >= min) count = (*max - min) / step + 1;
  if (!count) {
    out.error = "SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX is";
    return;
  }
  if (*id < min || (*id - min) % step != 0 || (*id - min) / step >= *count) {
    out.error = "SLURM_ARRAY_TASK_ID=" + std::to_string(*id) + " is not one of the array's " +
                std::to_string(*count) + " tasks from " + std::to_string(min);
    return;
  }
  out.shard = {static_cast<std::uint32_t>((*id - min) / step), static_cast<std::uint32_t>(*count),
               "SLURM_ARRAY_TASK_ID"};
}

// An index from `index_name`, the count from `count_name` or --shards.
void from_index(const environment_lookup& lookup, const char* index_name, const char* count_name, std::uint32_t shards,
                shard_outcome& out) {
  auto index = variable(lookup, index_name, out.error);
  if (!index || !out.error.empty()) return;
  std::optional<std::uint64_t> count = shards ? std::optional<std::uint64_t>(shards) : std::nullopt;
  if (!count && count_name) count = variable(lookup, count_name, out.error);
  if (!out.error.empty()) return;
  if (!count) {
    out.error = std::string(index_name) + " is set (a job array's task) but the number of shards is not: give " +
                "--shards N (or --shard K/N; --shard 0/1 takes every URL)";
    return;
  }
  out.shard = {static_cast<std::uint32_t>(*index), static_cast<std::uint32_t>(*count), index_name};
}

}  // namespace

shard_outcome resolve_shard(const std::string& shard_text, std::uint32_t shards, const std::string& run_id,
                            const environment_lookup& lookup) {
  shard_outcome out;
  out.run_id = run_id;
  if (!shard_text.empty()) {
    auto slash = shard_text.find('/');
    auto k = slash == std::string::npos ? std::nullopt : whole(std::string_view(shard_text).substr(0, slash));
    auto n = slash == std::string::npos ? std::nullopt : whole(std::string_view(shard_text).substr(slash + 1));
    if (!k || !n || *n == 0 || *k >= *n || *n > max_shards)
      out.error = "--shard: '" + shard_text + "' is not K/N with 0 <= K < N <= " + std::to_string(max_shards);
    else if (shards && shards != *n)
      out.error = "--shard " + shard_text + " and --shards " + std::to_string(shards) + " disagree";
    else
      out.shard = {static_cast<std::uint32_t>(*k), static_cast<std::uint32_t>(*n), "--shard"};
  } else {
    from_slurm(lookup, shards, out);
    if (!out.shard.set() && out.error.empty()) from_index(lookup, "JOB_COMPLETION_INDEX", nullptr, shards, out);
    if (!out.shard.set() && out.error.empty())
      from_index(lookup, "AWS_BATCH_JOB_ARRAY_INDEX", "AWS_BATCH_JOB_ARRAY_SIZE", shards, out);
    if (!out.shard.set() && out.error.empty() && shards)
      out.error = "--shards " + std::to_string(shards) +
                  " needs this process's index: --shard K/N, or a job array's SLURM_ARRAY_TASK_ID, "
                  "JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX";
    if (out.shard.set() && out.error.empty() &&
        (out.shard.count > max_shards || out.shard.index >= out.shard.count))
      out.error = out.shard.source + " gives shard " + std::to_string(out.shard.index) + " of " +
                  std::to_string(out.shard.count) + ", which is not one";
  }
  if (!out.error.empty()) {
    out.shard = {};
    return out;
  }
  if (out.run_id.empty()) {
    if (const char* slurm = lookup("SLURM_ARRAY_JOB_ID"); slurm && *slurm) out.run_id = std::string("slurm-") + slurm;
    else if (const char* aws = lookup("AWS_BATCH_JOB_ID"); aws && *aws)
      out.run_id = "aws-" + std::string(aws).substr(0, std::string(aws).find(':'));
  }
  return out;
}

std::string with_shard(const std::string& path, const shard_setting& s, const char* option, std::string& error) {
  constexpr std::string_view mark = "{shard}";
  if (path.find(mark) == std::string::npos) return path;
  if (!s.set()) {
    if (error.empty())
      error = std::string(option) + ": '" + path + "' names {shard} but this run has no shard (--shard K/N, or a " +
              "job array's environment)";
    return path;
  }
  std::string out;
  std::size_t from = 0;
  for (auto at = path.find(mark); at != std::string::npos; at = path.find(mark, from)) {
    out.append(path, from, at - from);
    out += std::to_string(s.index);
    from = at + mark.size();
  }
  out.append(path, from);
  return out;
}

}  // namespace crawl::config
