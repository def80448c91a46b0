#pragma once
// Sums word counts from many files in bounded memory (crawl merge), and
// hands them out ranked (count descending, then word) as often as asked.
//
// Counts go into one table while it stays under `budget` bytes. Past that
// the table is written out sorted by word as a run file (an unnamed
// temporary file) and emptied. At the end, when nothing was written out,
// the table is ranked in memory; otherwise the runs are merged by word,
// the sums collected into a buffer of the same budget and written out
// ranked, and those ranked runs merged once more each time the result is
// handed out. Memory: the budget, plus a read buffer per run.
#include "crawl/pipeline/word_counts.hpp"

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace crawl::app {

class run_file;

// A row to sort: the word's first 8 bytes as a number (see count_merge.cpp), its count, the word.
struct keyed_row {
  std::uint64_t prefix;
  std::uint64_t count;
  std::string_view word;
};

class count_merge {
 public:
  // `temp_dir`: where run files go (they have no name and vanish with the process).
  count_merge(std::size_t budget, std::string temp_dir);
  ~count_merge();
  count_merge(const count_merge&) = delete;
  count_merge& operator=(const count_merge&) = delete;

  // false (with `error`): the word's sum passes 2^64-1, or a run file could not be written.
  bool add(std::string_view word, std::uint64_t n, std::string& error);
  // After the last add().
  bool finish(std::string& error);

  // Every word and its sum, ranked; stops early when `row` returns false.
  void for_each_ranked(const std::function<bool(std::string_view, std::uint64_t)>& row) const;
  std::uint64_t total() const { return total_; }
  std::uint64_t distinct() const { return distinct_; }
  std::size_t runs_written() const { return word_runs_ + rank_runs_.size(); }

 private:
  bool spill_table(std::string& error);
  bool merge_word_runs(std::string& error);
  bool spill_ranked(std::vector<std::pair<std::string, std::uint64_t>>& buffer, std::string& error);

  std::size_t budget_;
  std::string temp_dir_;
  pipeline::word_counts table_;
  std::vector<keyed_row> in_memory_;  // when nothing was written out: the table's rows, ranked in two halves
  std::size_t half_ = 0;
  std::vector<std::unique_ptr<run_file>> by_word_;  // runs sorted by word
  std::size_t word_runs_ = 0;
  std::vector<std::unique_ptr<run_file>> rank_runs_;  // runs sorted by rank
  std::uint64_t total_ = 0, distinct_ = 0;
  std::uint64_t added_ = 0;
};

}  // namespace crawl::app
