// config/shard_setting: --shard K/N, or the index a job array's engine gives.
#include "crawl/config/shard_setting.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>

using namespace crawl::config;

namespace {
struct fake_env {
  std::map<std::string, std::string> vars;
  environment_lookup lookup() const {
    return [this](const char* name) -> const char* {
      auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  }
};
}  // namespace

TEST_CASE("shard: --shard K/N is taken as given, and malformed values are refused", "[shard]") {
  fake_env env;
  auto r = resolve_shard("2/4", 0, "", env.lookup());
  CHECK(r.error.empty());
  CHECK(r.shard.index == 2);
  CHECK(r.shard.count == 4);
  CHECK(r.shard.source == "--shard");
  for (const char* bad : {"4/4", "1", "a/4", "1/0", "-1/4", "1/4x", "/4"}) {
    INFO(bad);
    auto b = resolve_shard(bad, 0, "", env.lookup());
    CHECK_FALSE(b.shard.set());
    CHECK(b.error.find("--shard") != std::string::npos);
  }
  CHECK_FALSE(resolve_shard("1/4", 8, "", env.lookup()).error.empty());  // disagrees with --shards
}

TEST_CASE("shard: without options and a job array, there is no shard", "[shard]") {
  fake_env env;
  auto r = resolve_shard("", 0, "", env.lookup());
  CHECK(r.error.empty());
  CHECK_FALSE(r.shard.set());
  CHECK(r.run_id.empty());
}

TEST_CASE("shard: a Slurm array task is its place in the array's range", "[shard]") {
  fake_env env{{{"SLURM_ARRAY_TASK_ID", "3"}, {"SLURM_ARRAY_TASK_COUNT", "4"}, {"SLURM_ARRAY_JOB_ID", "77"}}};
  auto r = resolve_shard("", 0, "", env.lookup());
  CHECK(r.error.empty());
  CHECK(r.shard.index == 3);
  CHECK(r.shard.count == 4);
  CHECK(r.shard.source == "SLURM_ARRAY_TASK_ID");
  CHECK(r.run_id == "slurm-77");
  // --array=1-8:  min 1, max 8
  fake_env ranged{{{"SLURM_ARRAY_TASK_ID", "8"}, {"SLURM_ARRAY_TASK_MIN", "1"}, {"SLURM_ARRAY_TASK_MAX", "8"}}};
  r = resolve_shard("", 0, "", ranged.lookup());
  CHECK(r.shard.index == 7);
  CHECK(r.shard.count == 8);
  // --array=0-15:4: tasks 0, 4, 8, 12
  fake_env stepped{{{"SLURM_ARRAY_TASK_ID", "8"}, {"SLURM_ARRAY_TASK_MIN", "0"}, {"SLURM_ARRAY_TASK_MAX", "12"},
                    {"SLURM_ARRAY_TASK_STEP", "4"}}};
  r = resolve_shard("", 0, "", stepped.lookup());
  CHECK(r.shard.index == 2);
  CHECK(r.shard.count == 4);
  // --shard wins over the environment; --run-id over the array's id
  r = resolve_shard("0/2", 0, "mine", env.lookup());
  CHECK(r.shard.index == 0);
  CHECK(r.shard.count == 2);
  CHECK(r.run_id == "mine");
}

TEST_CASE("shard: a Slurm task without the array's size, or out of it, is an error naming the variable", "[shard]") {
  fake_env alone{{{"SLURM_ARRAY_TASK_ID", "3"}}};
  CHECK(resolve_shard("", 0, "", alone.lookup()).error.find("SLURM_ARRAY_TASK_COUNT") != std::string::npos);
  fake_env outside{{{"SLURM_ARRAY_TASK_ID", "9"}, {"SLURM_ARRAY_TASK_COUNT", "4"}}};
  CHECK(resolve_shard("", 0, "", outside.lookup()).error.find("SLURM_ARRAY_TASK_ID=9") != std::string::npos);
  fake_env garbled{{{"SLURM_ARRAY_TASK_ID", "x"}, {"SLURM_ARRAY_TASK_COUNT", "4"}}};
  CHECK(resolve_shard("", 0, "", garbled.lookup()).error.find("SLURM_ARRAY_TASK_ID='x'") != std::string::npos);
}

TEST_CASE("shard: a Kubernetes Indexed Job's index needs --shards", "[shard]") {
  fake_env env{{{"JOB_COMPLETION_INDEX", "5"}}};
  auto r = resolve_shard("", 8, "", env.lookup());
  CHECK(r.error.empty());
  CHECK(r.shard.index == 5);
  CHECK(r.shard.count == 8);
  CHECK(r.shard.source == "JOB_COMPLETION_INDEX");
  CHECK(resolve_shard("", 0, "", env.lookup()).error.find("--shards") != std::string::npos);
  CHECK_FALSE(resolve_shard("", 5, "", env.lookup()).error.empty());  // index 5 of 5
  // --shards alone, with no index anywhere, says where the index would come from
  fake_env none;
  CHECK(resolve_shard("", 4, "", none.lookup()).error.find("JOB_COMPLETION_INDEX") != std::string::npos);
}

TEST_CASE("shard: an AWS Batch array child takes its index and size, and its parent's id", "[shard]") {
  fake_env env{{{"AWS_BATCH_JOB_ARRAY_INDEX", "1"}, {"AWS_BATCH_JOB_ARRAY_SIZE", "3"},
                {"AWS_BATCH_JOB_ID", "abc-123:1"}}};
  auto r = resolve_shard("", 0, "", env.lookup());
  CHECK(r.error.empty());
  CHECK(r.shard.index == 1);
  CHECK(r.shard.count == 3);
  CHECK(r.run_id == "aws-abc-123");
}

TEST_CASE("shard: {shard} in a path is the shard's index, and an error without a shard", "[shard]") {
  std::string error;
  shard_setting s{3, 4, "--shard"};
  CHECK(with_shard("out/state-{shard}.db", s, "--state", error) == "out/state-3.db");
  CHECK(with_shard("{shard}/{shard}.tsv", s, "-o", error) == "3/3.tsv");
  CHECK(with_shard("plain.tsv", s, "-o", error) == "plain.tsv");
  CHECK(error.empty());
  CHECK(with_shard("plain.tsv", shard_setting{}, "-o", error) == "plain.tsv");
  CHECK(error.empty());
  with_shard("state-{shard}.db", shard_setting{}, "--state", error);
  CHECK(error.find("--state: 'state-{shard}.db'") != std::string::npos);
}

TEST_CASE("shard: with --shards, a Slurm task id is the shard (a failed shard resubmitted alone)", "[shard]") {
  fake_env retry{{{"SLURM_ARRAY_TASK_ID", "2"}, {"SLURM_ARRAY_TASK_COUNT", "1"}, {"SLURM_ARRAY_TASK_MIN", "2"},
                  {"SLURM_ARRAY_TASK_MAX", "2"}}};
  auto r = resolve_shard("", 4, "", retry.lookup());
  CHECK(r.error.empty());
  CHECK(r.shard.index == 2);
  CHECK(r.shard.count == 4);
  CHECK_FALSE(resolve_shard("", 2, "", retry.lookup()).error.empty());  // task 2 of 2 shards
}
