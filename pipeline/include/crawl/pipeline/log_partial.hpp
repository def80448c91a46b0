#pragma once
// The mergeable partial results of `crawl tail` (--summary-state): counts,
// sums, sketches, distinct registers and time buckets, with the query that
// made them, as one JSON document. Runs on other machines or days are
// merged from these (crawl merge). Pure.
#include "crawl/pipeline/log_summary.hpp"
#include "crawl/pipeline/run_parts.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace crawl::pipeline {

struct partial_result {
  query_options query;
  log_summary summary;
  std::vector<run_part> parts;  // the shards of runs it covers (crawl merge checks none is given twice)
  std::string generated_at;  // UTC
};

// Version 2: {"format": "crawl-tail-partial", "version": 2, "parts": [{"run_id", "shard", "shards"}], "generated_at",
//  "query": {"by", "per", "tz_offset", "max_groups", "aggregates": [{"kind", "field", "q"}]},
//  "counts": {...}, "first_time", "last_time", "words": "word\tcount\n...",
//  "groups": [{"key": base64, "count", "fields": [{"numbers", "whole", "fraction", "min", "max",
//              "sketch": base64 | null, "distinct": base64 | null}]}],
//  "not_numbers": [...], "folded"}. Version 1 (read too) had "run_id" instead of "parts".
std::string serialize_partial(const query_options& query, const log_summary& summary, const std::vector<run_part>& parts,
                              const std::string& generated_at);
// Back from that form; nothing with `error` saying what is wrong.
std::optional<partial_result> parse_partial(std::string_view text, std::string& error);

}  // namespace crawl::pipeline
