#pragma once
// What a summary or partial result covers: parts, each a shard K of N of a
// run (an unsharded run is shard 0 of 1). A merged file covers the parts of
// its inputs, so merging merged files is checked the same way: no part
// twice (the same input given twice, or two copies of one shard), and for
// each run every shard present unless missing ones are allowed. Pure.
#include "crawl/pipeline/json.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace crawl::pipeline {

struct run_part {
  std::string run_id;
  std::uint32_t shard = 0;
  std::uint32_t shards = 1;
  bool operator==(const run_part&) const = default;
};

// [{"run_id", "shard", "shards"}, ...] and back; nothing (with `error`) when malformed.
json parts_to_json(const std::vector<run_part>& parts);
std::optional<std::vector<run_part>> parts_from_json(const json& j, std::string& error);

struct covered_input {
  std::string name;  // a path, for messages
  std::vector<run_part> parts;
};

struct parts_report {
  std::vector<std::string> conflicts;  // each names both inputs: a part twice, or a run split two ways
  std::vector<std::string> missing;    // "run R: shards 1, 3 of 4 missing"
};
parts_report check_parts(const std::vector<covered_input>& inputs);

}  // namespace crawl::pipeline
