#include "crawl/pipeline/run_parts.hpp"

#include <map>
#include <set>

namespace crawl::pipeline {

json parts_to_json(const std::vector<run_part>& parts) {
  json out = json::array();
  for (const auto& p : parts) {
    json j = json::object();
    append_member(j, "run_id", p.run_id);
    append_member(j, "shard", p.shard);
    append_member(j, "shards", p.shards);
    out.push_back(std::move(j));
  }
  return out;
}

std::optional<std::vector<run_part>> parts_from_json(const json& j, std::string& error) {
  auto whole = [](const json& v) { return v.is_number_unsigned() && v.get<std::uint64_t>() <= 1'000'000; };
  if (!j.is_array() || j.empty()) {
    error = "\"parts\" is not a list of the shards it covers";
    return std::nullopt;
  }
  std::vector<run_part> parts;
  for (const auto& p : j) {
    if (!p.is_object() || !p.contains("run_id") || !p["run_id"].is_string() || !p.contains("shard") ||
        !whole(p["shard"]) || !p.contains("shards") || !whole(p["shards"]) ||
        p["shard"].get<std::uint64_t>() >= p["shards"].get<std::uint64_t>()) {
      error = "a part is not {\"run_id\", \"shard\", \"shards\"} with shard < shards";
      return std::nullopt;
    }
    parts.push_back({p["run_id"].get<std::string>(), p["shard"].get<std::uint32_t>(), p["shards"].get<std::uint32_t>()});
  }
  return parts;
}

namespace {

std::string shard_name(const run_part& p) {
  return "shard " + std::to_string(p.shard) + " of " + std::to_string(p.shards) + " of run " + p.run_id;
}

std::string list_missing(const std::set<std::uint32_t>& present, std::uint32_t shards) {
  std::string out;
  std::size_t listed = 0, missing = 0;
  for (std::uint32_t k = 0; k < shards; ++k) {
    if (present.count(k)) continue;
    ++missing;
    if (listed < 20) out += (listed++ ? ", " : "") + std::to_string(k);
  }
  if (missing > listed) out += " and " + std::to_string(missing - listed) + " more";
  return out;
}

}  // namespace

parts_report check_parts(const std::vector<covered_input>& inputs) {
  parts_report report;
  struct run_cover {
    std::uint32_t shards = 0;
    std::size_t first_input = 0;
    std::map<std::uint32_t, std::size_t> owner;  // shard -> input
  };
  std::map<std::string, run_cover> runs;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    for (const auto& part : inputs[i].parts) {
      auto [it, fresh] = runs.try_emplace(part.run_id);
      run_cover& run = it->second;
      if (fresh) run.shards = part.shards, run.first_input = i;
      if (run.shards != part.shards) {
        report.conflicts.push_back("run " + part.run_id + " is split into " + std::to_string(run.shards) +
                                   " shards in " + inputs[run.first_input].name + " but " +
                                   std::to_string(part.shards) + " in " + inputs[i].name);
        continue;
      }
      auto [owner, first] = run.owner.try_emplace(part.shard, i);
      if (!first)
        report.conflicts.push_back(inputs[owner->second].name + " and " + inputs[i].name + " both hold " +
                                   shard_name(part) + (owner->second == i ? " (twice in one file)" : ""));
    }
  }
  for (const auto& [id, run] : runs) {
    if (run.owner.size() == run.shards) continue;
    std::set<std::uint32_t> present;
    for (const auto& [k, input] : run.owner) present.insert(k);
    std::size_t missing = run.shards - run.owner.size();
    report.missing.push_back("run " + id + ": " + std::to_string(missing) + " of " + std::to_string(run.shards) +
                             " shards missing: " +
                             list_missing(present, run.shards));
  }
  return report;
}

}  // namespace crawl::pipeline
