#pragma once
// Exact 64-bit word counts with memory proportional to the distinct words.
#include <boost/unordered/unordered_flat_map.hpp>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace crawl::pipeline {

struct word_count {
  std::string_view word;
  std::uint64_t count;
};

// Keys are copied once into an arena of large blocks, so the table holds
// string_views and a lookup of a known word never allocates.
// Not thread-safe: keep one per thread and merge() at the end.
class word_counts {
 public:
  word_counts() = default;
  word_counts(const word_counts&) = delete;
  word_counts& operator=(const word_counts&) = delete;
  word_counts(word_counts&&) noexcept = default;
  word_counts& operator=(word_counts&&) noexcept = default;

  void add(std::string_view word, std::uint64_t n = 1);
  void merge(const word_counts& other);
  std::uint64_t get(std::string_view word) const;
  std::size_t distinct() const { return map_.size(); }
  std::uint64_t total() const { return total_; }
  // Forgets every word but keeps the first arena block for reuse.
  void clear();

  template <class F>
  void for_each(F&& f) const {
    for (const auto& [word, count] : map_) f(word_count{word, count});
  }

 private:
  struct hasher {
    std::size_t operator()(std::string_view s) const noexcept;
  };
  struct equal {
    bool operator()(std::string_view a, std::string_view b) const noexcept;
  };
  std::string_view store(std::string_view word);

  boost::unordered_flat_map<std::string_view, std::uint64_t, hasher, equal> map_;
  struct block {
    std::unique_ptr<char[]> data;
    std::size_t size;
  };
  std::vector<block> blocks_;
  char* free_ = nullptr;
  std::size_t free_left_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace crawl::pipeline
