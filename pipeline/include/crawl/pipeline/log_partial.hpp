#pragma once
// The mergeable partial results of `crawl tail` (--summary-state): counts,
// sums, sketches, distinct registers and time buckets, with the query that
// made them, as one JSON document. Runs on other machines or days are
// merged from these (crawl merge). Pure.
#include "crawl/pipeline/log_summary.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace crawl::pipeline {

struct partial_result {
  query_options query;
  log_summary summary;
  std::string run_id;        // one per run, so the same part given twice is told apart from another
  std::string generated_at;  // UTC
};

// Version 1: {"format": "crawl-tail-partial", "version": 1, "run_id", "generated_at",
//  "query": {"by", "per", "tz_offset", "max_groups", "aggregates": [{"kind", "field", "q"}]},
//  "counts": {...}, "first_time", "last_time", "words": "word\tcount\n...",
//  "groups": [{"key": base64, "count", "fields": [{"numbers", "whole", "fraction", "min", "max",
//              "sketch": base64 | null, "distinct": base64 | null}]}],
//  "not_numbers": [...], "folded"}
std::string serialize_partial(const query_options& query, const log_summary& summary, const std::string& run_id,
                              const std::string& generated_at);
// Back from that form; nothing with `error` saying what is wrong.
std::optional<partial_result> parse_partial(std::string_view text, std::string& error);

}  // namespace crawl::pipeline
