#pragma once
// Word counts read back from the files crawl writes (-o .tsv, .csv, .json),
// or from anything of the same shape, for crawl merge. Streamed: memory is
// one read buffer and one record, whatever the file's size. Pure (reads a
// std::istream).
#include "crawl/pipeline/count_output.hpp"

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <string_view>

namespace crawl::pipeline {

using count_row = std::function<void(std::string_view word, std::uint64_t count)>;

// tsv: "word<TAB>count" lines (the word escaped as crawl writes it), blank
// lines skipped; csv: an optional "word,count" header, then RFC 4180
// records (quoted fields may hold commas, quotes and newlines); json: one
// object of "word": count members. Counts are whole numbers up to 2^64-1.
// false at the first malformed record, with `error` naming its line (tsv,
// csv) or byte offset (json); the rows before it were handed out.
bool read_counts(std::istream& in, count_format format, const count_row& row, std::string& error);

}  // namespace crawl::pipeline
